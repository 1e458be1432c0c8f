package transcribe

import (
	"encoding/binary"

	"github.com/voicewatch/voicewatch/voice/audio"
)

// pcmEncoder turns PCMU (G.711 μ-law, 8 kHz) payloads into 16-bit
// little-endian PCM at 8 kHz × factor, upsampling by linear interpolation.
type pcmEncoder struct {
	factor int
	prev   int16
}

// encode appends the PCM of payload to dst.
func (e *pcmEncoder) encode(dst, payload []byte) []byte {
	for _, u := range payload {
		s := audio.DecodeULaw(u)
		for i := 1; i <= e.factor; i++ {
			v := int16(int(e.prev) + (int(s)-int(e.prev))*i/e.factor)
			dst = binary.LittleEndian.AppendUint16(dst, uint16(v))
		}
		e.prev = s
	}
	return dst
}
