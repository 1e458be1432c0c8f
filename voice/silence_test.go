package voice

import (
	"context"
	"testing"
	"time"
)

// TestSilenceTimeout: a caller who says nothing gets an STT timeout (counted
// as reason timeout, logged at info, not error), the bot asks whether they
// are still there, and the session goes on to complete normally.
func TestSilenceTimeout(t *testing.T) {
	cfg := loopbackConfig(t)
	cfg.Audio.SilenceTimeout = 300 * time.Millisecond
	ts := startServer(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c := newTestCaller(t, ts.base, callerOpts{})
	if _, err := c.call(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "connected", c.connected, 10*time.Second)
	waitFor(t, "the still-there prompt", c.gotAudio, 5*time.Second)
	eventually(t, 5*time.Second, "an STT timeout", func() bool {
		return ts.metric(t, MetricSTTErrors, LabelProvider, "embedded", LabelReason, ReasonTimeout) >= 1
	})
	for _, e := range ts.logs.find(EventSTTError, map[string]any{"reason": ReasonTimeout}) {
		if e["level"] != "INFO" {
			t.Errorf("silence logged at %v, want INFO (it is not a failure)", e["level"])
		}
	}
	if ts.ActiveSessions() != 1 {
		t.Fatal("the silence timeout ended the session")
	}
	if code, err := c.hangup(ctx); err != nil || code != 200 {
		t.Fatalf("hangup %d %v", code, err)
	}
	if got := ts.metric(t, MetricSessionsEnded, LabelOutcome, OutcomeCompleted); got != 1 {
		t.Errorf("completed = %v", got)
	}
}
