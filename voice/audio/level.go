package audio

import "math"

// LevelSilent is the RFC 6464 level of digital silence: 127 (-127 dBov).
const LevelSilent uint8 = 127

// ParseAudioLevel decodes the one-byte RFC 6464 client-to-mixer audio level
// header extension (RFC 6464 §3): V flag and the level in -dBov (0 = loudest,
// 127 = silence).
func ParseAudioLevel(ext []byte) (level uint8, voice bool, ok bool) {
	if len(ext) < 1 {
		return LevelSilent, false, false
	}
	return ext[0] & 0x7f, ext[0]&0x80 != 0, true
}

// LevelULaw computes the RFC 6464 level (-dBov, 0..127) of a μ-law payload,
// so PCMU audio without the extension is measured the same way.
func LevelULaw(payload []byte) uint8 {
	if len(payload) == 0 {
		return LevelSilent
	}
	var sum float64
	for _, b := range payload {
		s := float64(ulawDecode[b])
		sum += s * s
	}
	rms := math.Sqrt(sum/float64(len(payload))) / 32768
	if rms <= 0 {
		return LevelSilent
	}
	dbov := -20 * math.Log10(rms)
	if dbov > 127 {
		return LevelSilent
	}
	return uint8(dbov)
}
