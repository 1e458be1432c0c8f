package webrtc

import (
	"math"

	"github.com/voicewatch/voicewatch/voice/audio"
)

// samplesPerPacket is 20 ms of 8 kHz audio.
const samplesPerPacket = 160

// tone returns the μ-law (PCMU) payload of 20 ms packet n of a
// speech-like signal: a 220 Hz tone with harmonics, amplitude-modulated at
// 4 Hz (a syllable rate) so an energy VAD sees speech, not a steady hum.
func tone(n int) []byte {
	out := make([]byte, samplesPerPacket)
	for i := range out {
		t := float64(n*samplesPerPacket+i) / 8000
		env := 0.55 + 0.45*math.Sin(2*math.Pi*4*t)
		s := math.Sin(2*math.Pi*220*t) + 0.5*math.Sin(2*math.Pi*440*t) + 0.25*math.Sin(2*math.Pi*660*t)
		out[i] = audio.EncodeULaw(int16(s / 1.75 * env * 12000))
	}
	return out
}

// silence returns a 20 ms PCMU silence payload.
func silence() []byte {
	return audio.SilenceULaw(20)
}

// rms returns the RMS level of a PCMU payload on the 16-bit linear scale.
func rms(payload []byte) float64 {
	if len(payload) == 0 {
		return 0
	}
	var sum float64
	for _, b := range payload {
		v := float64(audio.DecodeULaw(b))
		sum += v * v
	}
	return math.Sqrt(sum / float64(len(payload)))
}
