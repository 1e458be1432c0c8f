package audio

import "time"

// OpusDuration is the duration of an Opus packet, from its TOC byte and,
// for code 3, its frame count byte (RFC 6716 §3.1, §3.2.5). An empty
// packet (a DTX gap) lasts 0.
func OpusDuration(pkt []byte) time.Duration {
	if len(pkt) == 0 {
		return 0
	}
	toc := pkt[0]
	config := toc >> 3
	var frame time.Duration
	switch {
	case config < 12: // SILK: 10, 20, 40, 60 ms
		frame = [4]time.Duration{10, 20, 40, 60}[config%4] * time.Millisecond
	case config < 16: // Hybrid: 10, 20 ms
		frame = [2]time.Duration{10, 20}[config%2] * time.Millisecond
	default: // CELT: 2.5, 5, 10, 20 ms
		frame = [4]time.Duration{2500, 5000, 10000, 20000}[config%4] * time.Microsecond
	}
	frames := 1
	switch toc & 3 {
	case 1, 2:
		frames = 2
	case 3:
		if len(pkt) > 1 {
			frames = int(pkt[1] & 0x3f)
		}
	}
	return frame * time.Duration(frames)
}
