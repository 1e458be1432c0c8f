package voice

import (
	"embed"
	"errors"
	"fmt"
	"time"
)

//go:embed prompts/*.ogg prompts/*.ulaw
var promptFS embed.FS

// prompt is a recorded clip in both codecs, as 20 ms chunks.
type prompt struct {
	opus []Chunk
	pcmu []Chunk
}

func (p prompt) chunks(c Codec) []Chunk {
	if c == CodecOpus {
		return p.opus
	}
	return p.pcmu
}

func loadPrompt(name string) (prompt, error) {
	ogg, err := promptFS.ReadFile("prompts/" + name + ".opus.ogg")
	if err != nil {
		return prompt{}, err
	}
	packets, err := oggOpusPackets(ogg)
	if err != nil {
		return prompt{}, fmt.Errorf("prompt %s: %w", name, err)
	}
	var p prompt
	for _, pkt := range packets {
		p.opus = append(p.opus, Chunk{Payload: pkt, Duration: opusDuration(pkt)})
	}
	raw, err := promptFS.ReadFile("prompts/" + name + ".ulaw")
	if err != nil {
		return prompt{}, err
	}
	p.pcmu = ulawChunks(raw)
	return p, nil
}

// ulawChunks splits 8 kHz μ-law samples into 20 ms payloads.
func ulawChunks(raw []byte) []Chunk {
	const n = 160
	var out []Chunk
	for len(raw) > 0 {
		k := min(n, len(raw))
		out = append(out, Chunk{Payload: raw[:k:k], Duration: time.Duration(k) * time.Second / 8000})
		raw = raw[k:]
	}
	return out
}

// oggOpusPackets returns the audio packets of an Ogg Opus file (RFC 7845),
// skipping the OpusHead and OpusTags header packets.
func oggOpusPackets(b []byte) ([][]byte, error) {
	var packets [][]byte
	var cur []byte
	for len(b) > 0 {
		if len(b) < 27 || string(b[:4]) != "OggS" {
			return nil, errors.New("not an Ogg page")
		}
		nseg := int(b[26])
		if len(b) < 27+nseg {
			return nil, errors.New("short Ogg page")
		}
		lacing := b[27 : 27+nseg]
		body := b[27+nseg:]
		for _, l := range lacing {
			if len(body) < int(l) {
				return nil, errors.New("short Ogg segment")
			}
			cur = append(cur, body[:l]...)
			body = body[l:]
			if l < 255 {
				packets = append(packets, cur)
				cur = nil
			}
		}
		b = body
	}
	if len(packets) < 2 {
		return nil, errors.New("no Opus audio packets")
	}
	return packets[2:], nil
}

// opusDuration is the duration of an Opus packet from its TOC byte (RFC 6716 §3.1).
func opusDuration(pkt []byte) time.Duration {
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
