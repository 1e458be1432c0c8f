package voice

import (
	"context"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// A talkspurt after a silence carries a timestamp that advanced with the
// silence (RFC 3550 §5.1), so a receiver computing interarrival jitter sees
// no jump at every reply.
func TestPlayerTimestampsRunThroughSilence(t *testing.T) {
	track, err := webrtc.NewTrackLocalStaticRTP(pcmuCodec.RTPCodecCapability, "a", "b")
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	p := &player{track: track, clockRate: 8000, m: newMetrics(prometheus.NewRegistry()), now: func() time.Time { return clock }}
	chunk := []Chunk{{Payload: make([]byte, 160), Duration: 20 * time.Millisecond}}
	if _, err := p.play(context.Background(), chunksOf(chunk), nil); err != nil {
		t.Fatal(err)
	}
	first := p.pkt.Timestamp
	clock = clock.Add(time.Second) // a second after the first packet was sent
	if _, err := p.play(context.Background(), chunksOf(chunk), nil); err != nil {
		t.Fatal(err)
	}
	if got := p.pkt.Timestamp - first; got != 8000 {
		t.Errorf("second talkspurt %d timestamp units after the first, want 8000 (1 s at 8 kHz)", got)
	}
}
