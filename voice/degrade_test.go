package voice

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/voice/voicemetrics"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

// failingTTS fails like a provider in an outage, after sendFirst chunks.
type failingTTS struct {
	reason    string
	sendFirst int
}

func (failingTTS) Name() string { return "flaky" }

func (f failingTTS) Synthesize(ctx context.Context, text string, af AudioFormat, out chan<- Chunk) error {
	for range f.sendFirst {
		out <- Chunk{Payload: []byte{0xff, 0xff}, Duration: 20 * time.Millisecond}
	}
	return &ProviderError{Provider: "flaky", Reason: f.reason, Err: errors.New("provider says no")}
}

// TestTTSOutageDegrades: when the TTS fails before any audio the caller
// hears the embedded apology, the error is counted by reason, and the call
// goes on; a failure mid-speech is counted too.
func TestTTSOutageDegrades(t *testing.T) {
	for _, tc := range []struct {
		name      string
		tts       failingTTS
		wantAudio bool
	}{
		{"fails before audio: apology played", failingTTS{reason: voicemetrics.ReasonNetwork}, true},
		{"policy violation mid-stream", failingTTS{reason: voicemetrics.ReasonPolicyViolation, sendFirst: 5}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := loopbackConfig(t)
			greet := true
			cfg.Audio.Greeting = &greet
			ts := startServer(t, cfg, WithProviders(Providers{TTS: tc.tts}))
			ctx, c := ts.call(t, 15*time.Second)
			voicetest.WaitFor(t, "connected", c.Connected(), 10*time.Second)
			voicetest.WaitFor(t, "audio despite the TTS outage", c.GotAudio(), 5*time.Second)
			voicetest.Eventually(t, 5*time.Second, "tts error counted", func() bool {
				return ts.metric(t, voicemetrics.MetricTTSErrors, voicemetrics.LabelProvider, "flaky", voicemetrics.LabelReason, tc.tts.reason) == 1
			})
			if got := ts.logs.Find(EventTTSError, map[string]any{"reason": tc.tts.reason, "provider": "flaky"}); len(got) != 1 {
				t.Errorf("tts.error events: %v", got)
			}
			if code, err := c.Hangup(ctx); err != nil || code != 200 {
				t.Fatalf("hangup %d %v", code, err)
			}
			voicetest.Eventually(t, 5*time.Second, "session end", func() bool { return ts.ActiveSessions() == 0 })
			if got := ts.metric(t, voicemetrics.MetricSessionsEnded, voicemetrics.LabelOutcome, voicemetrics.OutcomeCompleted); got != 1 {
				t.Errorf("completed = %v: a TTS outage must not fail the session", got)
			}
		})
	}
}
