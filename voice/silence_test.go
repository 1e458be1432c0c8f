package voice

import (
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/voice/voicemetrics"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

// TestSilenceTimeout: a caller who says nothing gets an STT timeout (counted
// as reason timeout, logged at info, not error), the bot asks whether they
// are still there, and the session goes on to complete normally.
func TestSilenceTimeout(t *testing.T) {
	cfg := loopbackConfig(t)
	cfg.Audio.SilenceTimeout = 300 * time.Millisecond
	ts := startServer(t, cfg)
	ctx, c := ts.call(t, 15*time.Second)
	voicetest.WaitFor(t, "connected", c.Connected(), 10*time.Second)
	voicetest.WaitFor(t, "the still-there prompt", c.GotAudio(), 5*time.Second)
	voicetest.Eventually(t, 5*time.Second, "an STT timeout", func() bool {
		return ts.metric(t, voicemetrics.MetricSTTErrors, voicemetrics.LabelProvider, "embedded", voicemetrics.LabelReason, voicemetrics.ReasonTimeout) >= 1
	})
	for _, e := range ts.logs.Find(EventSTTError, map[string]any{"reason": voicemetrics.ReasonTimeout}) {
		if e["level"] != "INFO" {
			t.Errorf("silence logged at %v, want INFO (it is not a failure)", e["level"])
		}
	}
	if ts.ActiveSessions() != 1 {
		t.Fatal("the silence timeout ended the session")
	}
	if code, err := c.Hangup(ctx); err != nil || code != 200 {
		t.Fatalf("hangup %d %v", code, err)
	}
	if got := ts.metric(t, voicemetrics.MetricSessionsEnded, voicemetrics.LabelOutcome, voicemetrics.OutcomeCompleted); got != 1 {
		t.Errorf("completed = %v", got)
	}
}
