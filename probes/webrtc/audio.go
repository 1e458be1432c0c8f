package webrtc

import (
	"math"
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
		out[i] = linearToULaw(int16(s / 1.75 * env * 12000))
	}
	return out
}

// silence returns a 20 ms PCMU silence payload.
func silence() []byte {
	out := make([]byte, samplesPerPacket)
	for i := range out {
		out[i] = 0xFF
	}
	return out
}

// rms returns the RMS level of a PCMU payload on the 16-bit linear scale.
func rms(payload []byte) float64 {
	if len(payload) == 0 {
		return 0
	}
	var sum float64
	for _, b := range payload {
		v := float64(uLawToLinear(b))
		sum += v * v
	}
	return math.Sqrt(sum / float64(len(payload)))
}

const ulawBias = 0x84

// linearToULaw encodes one sample (ITU-T G.711 μ-law).
func linearToULaw(s int16) byte {
	v := int32(s)
	sign := byte(0)
	if v < 0 {
		v = -v
		sign = 0x80
	}
	if v > 32635 {
		v = 32635
	}
	v += ulawBias
	exp := byte(7)
	for mask := int32(0x4000); v&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := byte((v >> (exp + 3)) & 0x0F)
	return ^(sign | exp<<4 | mant)
}

// uLawToLinear decodes one G.711 μ-law sample.
func uLawToLinear(u byte) int16 {
	u = ^u
	sign := u & 0x80
	exp := (u >> 4) & 0x07
	mant := u & 0x0F
	v := ((int32(mant) << 3) + ulawBias) << exp
	v -= ulawBias
	if sign != 0 {
		return int16(-v)
	}
	return int16(v)
}
