package voice

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/voicewatch/voicewatch/internal/chromiumtest"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

// page is the test page open in headless Chromium.
type page struct {
	t   *testing.T
	ctx context.Context
}

func openPage(t *testing.T, base string) *page {
	t.Helper()
	ctx := chromiumtest.Start(t, chromiumPath(t), chromiumtest.AllowLoopback)
	p := &page{t: t, ctx: ctx}
	// The first action starts the browser and ties its life to its
	// context: the long-lived one, never a step's timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatalf("open the test page: %v", err)
	}
	return p
}

func (p *page) text() string {
	s, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.body.innerText`))
	return s
}

func (p *page) do(what string, d time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, d)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v\npage:\n%s", what, err, p.text())
	}
}

// waitText waits until the element with id shows text containing want.
func (p *page) waitText(id, want string, d time.Duration) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, d)
	defer cancel()
	expr := `(() => { const t = document.getElementById("` + id + `").textContent; return t.includes(` + jsString(want) + `) && t; })()`
	v, err := chromedp.Run(ctx, chromedp.Poll[any](expr))
	if err != nil {
		p.t.Fatalf("#%s never showed %q: %v\npage:\n%s", id, want, err, p.text())
	}
	s, _ := v.(string)
	return s
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// TestBrowserServerEndsCall: the server ends a connected call on purpose
// (max_session_duration); the page says so and does not redial.
func TestBrowserServerEndsCall(t *testing.T) {
	if _, ok := browserTest(t); !ok {
		return
	}
	cfg := loopbackConfig(t)
	cfg.MaxSessionDuration = 3 * time.Second
	ts := startServer(t, cfg)
	p := openPage(t, ts.base)
	p.do("click Call", 5*time.Second, chromedp.Click(chromedp.ID("call")))
	p.waitText("call-state", "connected", 20*time.Second)
	p.waitText("call-state", "call ended by the server: max_duration", 20*time.Second)
	voicetest.Eventually(t, 10*time.Second, "session end", func() bool { return ts.ActiveSessions() == 0 })
	if got := p.waitText("redials", "0", time.Second); got != "0" {
		t.Errorf("redials = %q after a deliberate end, want 0", got)
	}
	if got := ts.metric(t, voicemetrics.MetricSessionsStarted); got != 1 {
		t.Errorf("sessions started = %v, want 1 (no redial)", got)
	}
}

// TestBrowserRedials: the call never connects (relay only, and the media
// core offers no TURN server), the server ends each session with
// connect_timeout, and the page redials a new session linked to the old
// one, twice, then gives up and says so.
func TestBrowserRedials(t *testing.T) {
	if _, ok := browserTest(t); !ok {
		return
	}
	cfg := loopbackConfig(t)
	cfg.ICE.ConnectTimeout = 2 * time.Second
	ts := startServer(t, cfg)
	p := openPage(t, ts.base)
	p.do("tick relay only and call", 5*time.Second, chromedp.Click(chromedp.ID("relay")), chromedp.Click(chromedp.ID("call")))
	p.waitText("call-state", "redialing 1/2", 15*time.Second)
	p.waitText("call-state", "call lost", 30*time.Second)
	p.waitText("redials", "2", time.Second)
	voicetest.Eventually(t, 10*time.Second, "sessions end", func() bool { return ts.ActiveSessions() == 0 })
	if got := ts.metric(t, voicemetrics.MetricSessionsStarted); got != 3 {
		t.Errorf("sessions started = %v, want 3 (the call and two redials)", got)
	}
	started := ts.logs.Find(EventSessionStarted, nil)
	if len(started) != 3 {
		t.Fatalf("session.started events: %v", started)
	}
	// Each redial names the session it replaces.
	for i := 1; i < 3; i++ {
		if started[i]["redial_of"] != started[i-1]["session_id"] {
			t.Errorf("redial %d: redial_of %v, want %v", i, started[i]["redial_of"], started[i-1]["session_id"])
		}
	}
}
