package transcribe

import (
	"encoding/binary"
)

// Ogg Opus (RFC 7845) without decoding: each Opus RTP payload (RFC 7587)
// is one Opus packet, so it becomes one packet of an Ogg logical stream
// (RFC 3533) after the OpusHead and OpusTags header packets.

const (
	oggHeaderBOS = 0x02
	oggHeaderEOS = 0x04
	// opusPreSkip is 80 ms at 48 kHz: RFC 7845 §4.2 recommends at least
	// 3840 samples of pre-roll when decoding starts mid-stream, which is
	// what an utterance cut from a running call is.
	opusPreSkip = 3840
)

var oggCRCTable = func() (t [256]uint32) {
	for i := range t {
		r := uint32(i) << 24
		for range 8 {
			if r&0x80000000 != 0 {
				r = r<<1 ^ 0x04c11db7
			} else {
				r <<= 1
			}
		}
		t[i] = r
	}
	return t
}()

// oggCRC is the Ogg page checksum: CRC-32, polynomial 0x04c11db7, no
// reflection, initial value 0 (RFC 3533 §6).
func oggCRC(b []byte) uint32 {
	var crc uint32
	for _, c := range b {
		crc = crc<<8 ^ oggCRCTable[byte(crc>>24)^c]
	}
	return crc
}

// oggOpusWriter writes one Ogg Opus stream, one page per packet so audio
// leaves as soon as it arrives.
type oggOpusWriter struct {
	serial  uint32
	seq     uint32
	granule uint64
	started bool
}

// header appends the OpusHead and OpusTags pages (RFC 7845 §5).
func (w *oggOpusWriter) header(dst []byte) []byte {
	head := []byte("OpusHead")
	head = append(head, 1, 1) // version 1, mono output
	head = binary.LittleEndian.AppendUint16(head, opusPreSkip)
	head = binary.LittleEndian.AppendUint32(head, 48000) // input rate (informational)
	head = binary.LittleEndian.AppendUint16(head, 0)     // output gain
	head = append(head, 0)                               // mapping family 0: mono/stereo
	dst = w.page(dst, head, oggHeaderBOS, 0)
	const vendor = "voicewatch"
	tags := []byte("OpusTags")
	tags = binary.LittleEndian.AppendUint32(tags, uint32(len(vendor)))
	tags = append(tags, vendor...)
	tags = binary.LittleEndian.AppendUint32(tags, 0) // no user comments
	return w.page(dst, tags, 0, 0)
}

// packet appends one audio page carrying an Opus packet. The headers are
// written first if needed. Empty payloads (DTX gaps) are skipped.
func (w *oggOpusWriter) packet(dst, pkt []byte) []byte {
	if !w.started {
		dst = w.header(dst)
		w.started = true
	}
	if len(pkt) == 0 {
		return dst
	}
	w.granule += uint64(opusSamples(pkt))
	return w.page(dst, pkt, 0, w.granule)
}

// end appends the end-of-stream page, which carries no packet.
func (w *oggOpusWriter) end(dst []byte) []byte {
	if !w.started {
		return dst
	}
	return w.page(dst, nil, oggHeaderEOS, w.granule)
}

// page appends one page holding one whole packet (RFC 3533 §6: lacing
// values of 255 continue a packet; a value below 255 ends it).
func (w *oggOpusWriter) page(dst, pkt []byte, flags byte, granule uint64) []byte {
	start := len(dst)
	nseg := len(pkt)/255 + 1
	if pkt == nil {
		nseg = 0 // a page without packets (the end-of-stream page)
	}
	dst = append(dst, "OggS"...)
	dst = append(dst, 0, flags)
	dst = binary.LittleEndian.AppendUint64(dst, granule)
	dst = binary.LittleEndian.AppendUint32(dst, w.serial)
	dst = binary.LittleEndian.AppendUint32(dst, w.seq)
	dst = append(dst, 0, 0, 0, 0) // CRC, filled below
	dst = append(dst, byte(nseg))
	for range nseg - 1 {
		dst = append(dst, 255)
	}
	if nseg > 0 {
		dst = append(dst, byte(len(pkt)%255))
	}
	dst = append(dst, pkt...)
	binary.LittleEndian.PutUint32(dst[start+22:], oggCRC(dst[start:]))
	w.seq++
	return dst
}

// opusSamples is the number of 48 kHz samples in an Opus packet, from its
// TOC byte (RFC 6716 §3.1).
func opusSamples(pkt []byte) int {
	if len(pkt) == 0 {
		return 0
	}
	toc := pkt[0]
	config := toc >> 3
	var frame int
	switch {
	case config < 12: // SILK: 10, 20, 40, 60 ms
		frame = [4]int{480, 960, 1920, 2880}[config%4]
	case config < 16: // Hybrid: 10, 20 ms
		frame = [2]int{480, 960}[config%2]
	default: // CELT: 2.5, 5, 10, 20 ms
		frame = [4]int{120, 240, 480, 960}[config%4]
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
	return frame * frames
}
