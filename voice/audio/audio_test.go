package audio

import (
	"testing"
	"time"
)

func TestULawRoundTrip(t *testing.T) {
	for _, s := range []int16{0, 1, -1, 100, -100, 1000, -1000, 8000, -8000, 32000, -32000, 32767, -32768} {
		got := DecodeULaw(EncodeULaw(s))
		diff := int(got) - int(s)
		if diff < 0 {
			diff = -diff
		}
		// μ-law quantisation error grows with magnitude: at most 1/16 of the value plus the bias step.
		limit := int(s)/16 + 8
		if limit < 0 {
			limit = -limit
		}
		if diff > limit+8 {
			t.Errorf("round trip %d → %d (diff %d > %d)", s, got, diff, limit+8)
		}
	}
	if DecodeULaw(ULawSilence) != 0 {
		t.Errorf("silence byte decodes to %d, want 0", DecodeULaw(ULawSilence))
	}
}

func TestLevelULaw(t *testing.T) {
	tests := []struct {
		name     string
		payload  []byte
		min, max uint8
	}{
		{"silence", SilenceULaw(20), 120, 127},
		{"full scale tone", ToneULaw(440, 1, 20), 0, 6},
		{"-20 dBov tone", ToneULaw(440, 0.1, 20), 20, 26},
		{"quiet tone", ToneULaw(440, 0.001, 20), 55, 70},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := LevelULaw(tt.payload)
			if got < tt.min || got > tt.max {
				t.Errorf("LevelULaw = %d, want in [%d, %d]", got, tt.min, tt.max)
			}
		})
	}
}

func TestParseAudioLevel(t *testing.T) {
	level, voice, ok := ParseAudioLevel([]byte{0x80 | 30})
	if !ok || !voice || level != 30 {
		t.Fatalf("got %d %v %v", level, voice, ok)
	}
	if _, _, ok := ParseAudioLevel(nil); ok {
		t.Fatal("empty extension parsed")
	}
}

func TestVAD(t *testing.T) {
	const p = 20 * time.Millisecond
	v := NewVAD(VADConfig{Threshold: 50, MinSpeech: 40 * time.Millisecond, Hangover: 100 * time.Millisecond})
	var events []VADEvent
	push := func(level uint8, n int) {
		for range n {
			if e := v.Push(level, p); e != VADNone {
				events = append(events, e)
			}
		}
	}
	push(127, 10) // silence
	push(20, 1)   // a click: too short to start
	push(127, 2)
	push(20, 10) // speech
	if !v.Speaking() {
		t.Fatal("not speaking after 200ms of loud audio")
	}
	push(127, 3) // a short pause inside the utterance
	push(20, 3)
	push(127, 5) // 100ms of silence ends it
	want := []VADEvent{VADSpeechStart, VADSpeechEnd}
	if len(events) != len(want) || events[0] != want[0] || events[1] != want[1] {
		t.Fatalf("events = %v, want %v", events, want)
	}
}

func BenchmarkLevelULaw(b *testing.B) {
	payload := ToneULaw(440, 0.3, 20)
	b.ReportAllocs()
	for b.Loop() {
		_ = LevelULaw(payload)
	}
}
