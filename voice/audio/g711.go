package audio

// G.711 μ-law (ITU-T G.711, the PCMU payload of RFC 3551 §4.5.14).

const (
	ulawBias = 0x84
	ulawClip = 32635
)

// ulawDecode maps each μ-law byte to its linear sample.
var ulawDecode = func() (table [256]int16) {
	for i := range table {
		u := ^uint8(i)
		t := (int(u&0x0f) << 3) + ulawBias
		t <<= (u & 0x70) >> 4
		if u&0x80 != 0 {
			table[i] = int16(ulawBias - t)
		} else {
			table[i] = int16(t - ulawBias)
		}
	}
	return table
}()

// DecodeULaw returns the linear 16-bit sample of one μ-law byte.
func DecodeULaw(u uint8) int16 { return ulawDecode[u] }

// EncodeULaw returns the μ-law byte of one linear 16-bit sample.
func EncodeULaw(s int16) uint8 {
	sample := int(s)
	sign := 0
	if sample < 0 {
		sample = -sample
		sign = 0x80
	}
	if sample > ulawClip {
		sample = ulawClip
	}
	sample += ulawBias
	exponent := 7
	for mask := 0x4000; sample&mask == 0 && exponent > 0; mask >>= 1 {
		exponent--
	}
	mantissa := (sample >> (exponent + 3)) & 0x0f
	return ^uint8(sign | exponent<<4 | mantissa)
}

// ULawSilence is the μ-law byte of a zero sample.
const ULawSilence uint8 = 0xff
