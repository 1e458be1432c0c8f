package voice

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/voicewatch/voicewatch/internal/chromiumtest"
	"github.com/voicewatch/voicewatch/internal/netns"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

// chromiumPath finds Debian's chromium; without it the test skips (fails
// in CI).
func chromiumPath(t *testing.T) string {
	p := chromiumtest.Path()
	if p == "" {
		netns.Missing(t, "chromium (Debian package chromium)")
	}
	return p
}

// browserTest prepares a test that drives Chromium: it skips with -short
// and without Chromium (fails in CI), and runs the test in a loopback-only
// network namespace (netns.Run). ok is false in the process that only
// started it there; chrome is Chromium's path.
func browserTest(t *testing.T) (chrome string, ok bool) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	chrome = chromiumPath(t)
	return chrome, netns.Run(t)
}

// TestBrowserCall opens the test page in headless Chromium with fake media
// devices, inside a loopback-only network namespace, and completes a call.
func TestBrowserCall(t *testing.T) {
	chrome, ok := browserTest(t)
	if !ok {
		return
	}
	cfg := loopbackConfig(t)
	greet := true
	cfg.Audio.Greeting = &greet
	ts := startServer(t, cfg)

	ctx := chromiumtest.Start(t, chrome, chromiumtest.AllowLoopback)
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.base+"/")); err != nil {
		t.Fatal(err)
	}
	step := func(what string, d time.Duration, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, scancel := context.WithTimeout(ctx, d)
		defer scancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
			t.Fatalf("%s: %v\npage:\n%s", what, err, page)
		}
	}
	step("click Call", 5*time.Second, chromedp.Click(chromedp.ID("call")))
	step("connected", 20*time.Second, chromedp.WaitVisible(chromedp.CSS(`#state[data-state="connected"]`)))
	poll := func(what string, d time.Duration, expr string) string {
		t.Helper()
		sctx, scancel := context.WithTimeout(ctx, d)
		defer scancel()
		v, err := chromedp.Run(sctx, chromedp.Poll[any](expr))
		if err != nil {
			page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
			t.Fatalf("%s: %v\npage:\n%s", what, err, page)
		}
		s, _ := v.(string)
		return s
	}
	pair := poll("selected pair shown", 10*time.Second,
		`document.getElementById("pair").textContent.includes("/") && document.getElementById("pair").textContent`)
	if !strings.HasPrefix(pair, "host / host / udp") {
		t.Errorf("page shows selected pair %q, want host / host / udp on loopback", pair)
	}
	// The page streams session events over the WebSocket: the greeting
	// reply proves audio was sent to the browser.
	poll("events streamed", 15*time.Second, `document.getElementById("events").textContent.includes("bot.reply")`)
	gathering, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("gathering-ms")))
	step("hang up", 5*time.Second, chromedp.Click(chromedp.ID("hangup")))
	voicetest.Eventually(t, 10*time.Second, "session end", func() bool { return ts.ActiveSessions() == 0 })
	t.Logf("browser: selected pair %q, client ICE gathering %s", pair, gathering)

	if got := ts.metric(t, voicemetrics.MetricSessionsEnded, voicemetrics.LabelOutcome, voicemetrics.OutcomeCompleted); got != 1 {
		t.Errorf("completed sessions = %v, want 1", got)
	}
	if got := ts.metric(t, voicemetrics.MetricWebSocketConnections); got < 1 {
		t.Errorf("websocket connections = %v, want ≥ 1", got)
	}
	if got := ts.metric(t, voicemetrics.MetricRTPPackets, voicemetrics.LabelDirection, "in"); got < 10 {
		t.Errorf("rtp packets in = %v: the browser's microphone audio did not arrive", got)
	}
	if got := ts.metric(t, voicemetrics.MetricHTTPRequests, voicemetrics.LabelRoute, "PATCH /whip/{id}", voicemetrics.LabelCode, "204"); got < 1 {
		t.Errorf("trickle PATCHes = %v, want ≥ 1 (the page trickles candidates)", got)
	}
}
