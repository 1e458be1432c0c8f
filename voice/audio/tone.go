package audio

import "math"

// ToneULaw returns μ-law samples (8 kHz) of a sine tone at freq Hz and
// amplitude amp (0..1), ms milliseconds long, faded in and out over 5 ms so
// it does not click.
func ToneULaw(freq float64, amp float64, ms int) []byte {
	n := 8 * ms
	out := make([]byte, n)
	fade := 40
	for i := range out {
		a := amp
		if i < fade {
			a *= float64(i) / float64(fade)
		} else if n-i < fade {
			a *= float64(n-i) / float64(fade)
		}
		s := a * 32767 * math.Sin(2*math.Pi*freq*float64(i)/8000)
		out[i] = EncodeULaw(int16(s))
	}
	return out
}

// SilenceULaw returns ms milliseconds of μ-law silence.
func SilenceULaw(ms int) []byte {
	out := make([]byte, 8*ms)
	for i := range out {
		out[i] = ULawSilence
	}
	return out
}
