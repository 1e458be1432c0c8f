package voice

import (
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/voicewatch/voicewatch/voice/audio"
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
		p.opus = append(p.opus, Chunk{Payload: pkt, Duration: audio.OpusDuration(pkt)})
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
