package voice

import (
	"math"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/voice/voicemetrics"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

func TestExchangeStagesNeverNegativeAndAddUp(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	for _, tc := range []struct {
		name string
		x    exchange
		want [5]time.Duration
	}{
		{"in order", exchange{spoke: t0, vadEnd: ms(300), final: ms(320), replied: ms(330), firstChunk: ms(400), firstPacket: ms(401)},
			[5]time.Duration{300 * time.Millisecond, 20 * time.Millisecond, 10 * time.Millisecond, 70 * time.Millisecond, time.Millisecond}},
		{"recognizer final before the VAD's end", exchange{spoke: t0, vadEnd: ms(300), final: ms(250), replied: ms(310), firstChunk: ms(310), firstPacket: ms(311)},
			[5]time.Duration{300 * time.Millisecond, 0, 10 * time.Millisecond, 0, time.Millisecond}},
		{"no first-chunk time (fallback voice)", exchange{spoke: t0, vadEnd: ms(300), final: ms(300), replied: ms(300), firstPacket: ms(500)},
			[5]time.Duration{300 * time.Millisecond, 0, 0, 0, 200 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.x.stages()
			var sum time.Duration
			for _, d := range got {
				sum += d
			}
			if got != tc.want || sum != tc.x.firstPacket.Sub(tc.x.spoke) {
				t.Errorf("stages = %v (sum %v), want %v (sum %v)", got, sum, tc.want, tc.x.firstPacket.Sub(tc.x.spoke))
			}
		})
	}
}

// On a real call through the embedded pipeline, each stage is observed once
// per exchange and the stages' sums equal the response latency's sum.
func TestExchangeStagesOnACall(t *testing.T) {
	ts := startServer(t, loopbackConfig(t))
	ctx, c := ts.call(t, 20*time.Second)
	voicetest.WaitFor(t, "connected", c.Connected(), 10*time.Second)
	for range 2 {
		before := ts.metric(t, voicemetrics.MetricResponseLatency)
		if _, err := c.Speak(ctx, 400*time.Millisecond, 500*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		voicetest.Eventually(t, 5*time.Second, "the echo", func() bool { return ts.metric(t, voicemetrics.MetricResponseLatency) > before })
		// Let the echo finish so the next utterance is not a barge-in.
		voicetest.Eventually(t, 5*time.Second, "the echo to end", func() bool { return len(ts.logs.Find(EventReply, nil)) > int(before) })
	}
	_, _ = c.Hangup(ctx)
	voicetest.Eventually(t, 5*time.Second, "session end", func() bool { return ts.ActiveSessions() == 0 })

	latency := voicetest.Series(t, ts.reg, voicemetrics.MetricResponseLatency)[0].Histogram
	var sum float64
	for _, st := range voicemetrics.Stages {
		h := voicetest.Series(t, ts.reg, voicemetrics.MetricTurnStage, voicemetrics.LabelStage, st)[0].Histogram
		if h.GetSampleCount() != latency.GetSampleCount() {
			t.Errorf("stage %s: %d observations, want %d (one per exchange)", st, h.GetSampleCount(), latency.GetSampleCount())
		}
		sum += h.GetSampleSum()
	}
	if math.Abs(sum-latency.GetSampleSum()) > 1e-6 {
		t.Errorf("stages add up to %.6f s, response latency to %.6f s", sum, latency.GetSampleSum())
	}
	// The echo bot answers with the user's own audio: no TTS.
	if tts := voicetest.Series(t, ts.reg, voicemetrics.MetricTurnStage, voicemetrics.LabelStage, voicemetrics.StageTTSFirstByte)[0].Histogram; tts.GetSampleSum() != 0 {
		t.Errorf("tts_first_byte = %v s for audio replies, want 0", tts.GetSampleSum())
	}
	// end_of_speech is the VAD's hangover (300 ms of silent packets here),
	// the bulk of the echo bot's latency.
	eos := voicetest.Series(t, ts.reg, voicemetrics.MetricTurnStage, voicemetrics.LabelStage, voicemetrics.StageEndOfSpeech)[0].Histogram
	if eos.GetSampleSum() < float64(eos.GetSampleCount())*0.25 {
		t.Errorf("end_of_speech sums to %v s over %d exchanges, want ≈ 0.3 s each", eos.GetSampleSum(), eos.GetSampleCount())
	}
	if n := len(ts.logs.Find(EventExchange, nil)); n != int(latency.GetSampleCount()) {
		t.Errorf("%d exchange.latency events, want %d", n, latency.GetSampleCount())
	}
}

// Speaking over the greeting is a barge-in: counted either way; "stop" cuts
// the greeting short, "ignore" plays all of it.
func TestBargeIn(t *testing.T) {
	greeting, err := loadPrompt("greeting")
	if err != nil {
		t.Fatal(err)
	}
	full := len(greeting.pcmu)
	for _, policy := range []string{BargeInStop, BargeInIgnore} {
		t.Run(policy, func(t *testing.T) {
			cfg := loopbackConfig(t)
			on := true
			cfg.Audio.Greeting = &on
			cfg.Audio.BargeIn = policy
			ts := startServer(t, cfg)
			ctx, c := ts.call(t, 30*time.Second)
			voicetest.WaitFor(t, "the greeting", c.GotAudio(), 10*time.Second)
			if _, err := c.Speak(ctx, 400*time.Millisecond, 200*time.Millisecond); err != nil {
				t.Fatal(err)
			}
			var greetingPackets float64
			voicetest.Eventually(t, 15*time.Second, "the greeting's bot.reply", func() bool {
				for _, e := range ts.logs.Find(EventReply, nil) {
					if e["text"] == GreetingText {
						greetingPackets = e["packets"].(float64)
						return e["interrupted"] == true
					}
				}
				return false
			})
			if got := ts.metric(t, voicemetrics.MetricInterruptions); got != 1 {
				t.Errorf("%s = %v, want 1", voicemetrics.MetricInterruptions, got)
			}
			switch policy {
			case BargeInStop:
				if greetingPackets >= float64(full) {
					t.Errorf("greeting played %v of %d packets despite barge_in: stop", greetingPackets, full)
				}
			case BargeInIgnore:
				if greetingPackets != float64(full) {
					t.Errorf("greeting played %v of %d packets, want all with barge_in: ignore", greetingPackets, full)
				}
			}
			if len(ts.logs.Find(EventBargeIn, map[string]any{"barge_in": policy})) != 1 {
				t.Errorf("no bot.interrupted event with barge_in=%s", policy)
			}
			_, _ = c.Hangup(ctx)
			voicetest.Eventually(t, 5*time.Second, "session end", func() bool { return ts.ActiveSessions() == 0 })
		})
	}
}
