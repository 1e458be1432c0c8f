package voice

import (
	"context"
	"fmt"
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

// page is the test page open in headless Chromium.
type page struct {
	t   *testing.T
	ctx context.Context
}

// openPage opens the test page of the media core at base in headless
// Chromium (loopback allowed, then extra flags).
func openPage(t *testing.T, base string, extra ...chromedp.ExecAllocatorOption) *page {
	t.Helper()
	ctx := chromiumtest.Start(t, chromiumPath(t), append([]chromedp.ExecAllocatorOption{chromiumtest.AllowLoopback}, extra...)...)
	p := &page{t: t, ctx: ctx}
	// The first action starts the browser and ties its life to its
	// context: the long-lived one, never a step's timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatalf("open the test page: %v", err)
	}
	return p
}

// connected waits until the page's call is connected and returns the
// selected pair it shows ("local / remote / protocol").
func (p *page) connected() string {
	p.t.Helper()
	p.do("connected", 20*time.Second, chromedp.WaitVisible(chromedp.CSS(`#state[data-state="connected"]`)))
	return p.poll("selected pair shown", 10*time.Second,
		`document.getElementById("pair").textContent.includes("/") && document.getElementById("pair").textContent`)
}

// text is the page's text, for failure messages.
func (p *page) text() string {
	s, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.body.innerText`))
	return s
}

// do runs actions within d, failing the test (with the page's text) if
// they do not complete.
func (p *page) do(what string, d time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, d)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v\npage:\n%s", what, err, p.text())
	}
}

// poll waits within d until the JavaScript expression expr is truthy,
// failing the test (with the page's text) if it is not; it returns expr's
// value when that is a string.
func (p *page) poll(what string, d time.Duration, expr string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, d)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Poll[any](expr))
	if err != nil {
		p.t.Fatalf("%s: %v\npage:\n%s", what, err, p.text())
	}
	s, _ := v.(string)
	return s
}

// waitText waits until the element with id shows text containing want.
func (p *page) waitText(id, want string, d time.Duration) string {
	p.t.Helper()
	expr := `(() => { const t = document.getElementById("` + id + `").textContent; return t.includes(` + jsString(want) + `) && t; })()`
	return p.poll(fmt.Sprintf("#%s never showed %q", id, want), d, expr)
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// TestBrowserCall opens the test page in headless Chromium with fake media
// devices, inside a loopback-only network namespace, and completes a call.
func TestBrowserCall(t *testing.T) {
	if _, ok := browserTest(t); !ok {
		return
	}
	cfg := loopbackConfig(t)
	greet := true
	cfg.Audio.Greeting = &greet
	ts := startServer(t, cfg)
	p := openPage(t, ts.base)
	p.do("click Call", 5*time.Second, chromedp.Click(chromedp.ID("call")))
	pair := p.connected()
	if !strings.HasPrefix(pair, "host / host / udp") {
		t.Errorf("page shows selected pair %q, want host / host / udp on loopback", pair)
	}
	// The page streams session events over the WebSocket: the greeting
	// reply proves audio was sent to the browser.
	p.poll("events streamed", 15*time.Second, `document.getElementById("events").textContent.includes("bot.reply")`)
	gathering, _ := chromedp.Run(p.ctx, chromedp.Text(chromedp.ID("gathering-ms")))
	p.do("hang up", 5*time.Second, chromedp.Click(chromedp.ID("hangup")))
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
