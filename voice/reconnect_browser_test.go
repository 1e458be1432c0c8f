package voice

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/voicewatch/voicewatch/voice/voicemetrics"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

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
