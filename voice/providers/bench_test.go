package providers

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/internal/elevenlabstest"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

// BenchmarkEndOfSpeechToFirstPacket measures the pipeline's own latency:
// from the caller's last loud packet to the first bot packet it receives,
// with zero-delay test servers, minus the 300 ms end-of-speech hangover the
// VAD must wait by design. "embedded" (EmbeddedSTT + echo of the caller's
// own audio, no TTS) is the baseline; "transcribe+elevenlabs" adds the two
// adapters, their protocols and connections (echo dialog, so the dialog
// costs nothing in either). One op is one user turn of a single call.
//
//	go test -run '^$' -bench EndOfSpeech -benchtime 20x ./voice/providers/
func BenchmarkEndOfSpeechToFirstPacket(b *testing.B) {
	const hangover = 300 * time.Millisecond
	for _, bc := range []struct{ name, dialog string }{
		{"embedded", ""},
		{"transcribe+elevenlabs", "    type: echo"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := startRig(b, elevenlabstest.Config{}, bc.dialog)
			texts := make([]string, b.N+1)
			for i := range texts {
				texts[i] = "hello there"
			}
			r.tr.Say(texts...)
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(b.N+5)*5*time.Second)
			defer cancel()
			c := voicetest.NewCaller(b, r.base, voicetest.CallerOptions{})
			if _, err := c.Call(ctx); err != nil {
				b.Fatal(err)
			}
			voicetest.WaitFor(b, "connected", c.Connected(), 10*time.Second)
			voicetest.Eventually(b, 10*time.Second, "greeting", func() bool { return r.replies() == 1 })
			lats := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				lastLoud, err := c.Speak(ctx, 400*time.Millisecond, 500*time.Millisecond)
				if err != nil {
					b.Fatal(err)
				}
				voicetest.Eventually(b, 10*time.Second, "reply", func() bool { return r.replies() >= i+2 })
				first, ok := c.FirstArrivalAfter(lastLoud)
				if !ok {
					b.Fatal("no reply packet")
				}
				lats = append(lats, first.Sub(lastLoud)-hangover)
			}
			b.StopTimer()
			sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
			b.ReportMetric(ms(lats[len(lats)/2]), "p50-added-ms")
			b.ReportMetric(ms(lats[len(lats)*9/10]), "p90-added-ms")
			b.ReportMetric(0, "ns/op") // wall time per op is the caller's speech, not a result
		})
	}
}
