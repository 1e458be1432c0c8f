package voice

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/voicewatch/voicewatch/internal/chromiumtest"
)

// TestTestPageExplainsInsecureContext opens the test page in real Chromium
// over plain HTTP under a host name that is not localhost (voice.test,
// mapped to the loopback listener), where browsers hide
// navigator.mediaDevices. The page must say that it needs HTTPS or
// localhost and how to get there — at load and when Call is clicked —
// instead of "Cannot read properties of undefined (reading
// 'getUserMedia')". On http://127.0.0.1 the notice stays hidden.
func TestTestPageExplainsInsecureContext(t *testing.T) {
	chrome, ok := browserTest(t)
	if !ok {
		return
	}
	ts := startServer(t, loopbackConfig(t))
	u, err := url.Parse(ts.base)
	if err != nil {
		t.Fatal(err)
	}
	ctx := chromiumtest.Start(t, chrome, chromedp.Flag("host-resolver-rules", "MAP voice.test "+u.Hostname()))
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, scancel := context.WithTimeout(ctx, 20*time.Second)
		defer scancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(expr string) string {
		t.Helper()
		sctx, scancel := context.WithTimeout(ctx, 10*time.Second)
		defer scancel()
		v, err := chromedp.Run(sctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}

	insecure := "http://voice.test:" + u.Port() + "/"
	// The first action allocates the browser: it runs on ctx itself (a
	// cancelled child context would close the browser).
	if err := chromedp.Do(ctx, chromedp.Navigate(insecure)); err != nil {
		t.Fatal(err)
	}
	run("load "+insecure, chromedp.WaitReady(chromedp.ID("call")))
	if ctx := eval(`String(window.isSecureContext) + " " + typeof navigator.mediaDevices`); ctx != "false undefined" {
		t.Fatalf("Chromium sees %s as secure (%q): the test would prove nothing", insecure, ctx)
	}
	notice := eval(`document.getElementById("secure-context").hidden ? "" : document.getElementById("secure-context").textContent`)
	for _, want := range []string{"secure context", "HTTPS", "http://localhost:" + u.Port() + "/", "http://127.0.0.1:" + u.Port() + "/", "ssh -L"} {
		if !strings.Contains(notice, want) {
			t.Errorf("the notice at load lacks %q: %q", want, notice)
		}
	}
	run("click Call", chromedp.Click(chromedp.ID("call")))
	page := eval(`document.body.innerText`)
	if strings.Contains(page, "Cannot read properties") || !strings.Contains(page, "Cannot call: no microphone access on this page") {
		t.Errorf("after Call the page does not explain the failure:\n%s", page)
	}
	if ts.ActiveSessions() != 0 {
		t.Error("a session was started without a microphone")
	}

	secure := ts.base + "/"
	run("open "+secure, chromedp.Navigate(secure), chromedp.WaitReady(chromedp.ID("call")))
	if hidden := eval(`String(document.getElementById("secure-context").hidden)`); hidden != "true" {
		t.Errorf("on %s the secure-context notice shows: %s", secure, eval(`document.getElementById("secure-context").textContent`))
	}
}
