package voice

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/voicewatch/voicewatch/voice/audio"
)

// inbound processes the caller's RTP audio: count, measure the level, detect
// speech and feed the STT stream. handle runs once per packet and must not
// allocate (see BenchmarkInboundPacket).
type inbound struct {
	codec      Codec
	levelExtID uint8 // negotiated RFC 6464 extension ID, 0 if none
	vad        *audio.VAD
	stt        STTStream
	m          *metrics
	sig        *speechSignals
	now        func() time.Time

	vadThresholdValue uint8

	pkt        rtp.Packet // reused: Unmarshal keeps its slices
	lastVoiced time.Time
	received   *atomic.Uint64 // the session's quality count; nil in benchmarks of handle alone
}

// speechSignals carries what the media goroutine saw (speech starts and
// ends, barge-ins) to the conversation goroutine.
type speechSignals struct {
	speechStart chan struct{} // buffered 1: a pending start is enough
	speechEnd   chan struct{} // buffered 1
	// lastSpeechEnd is the wall time (UnixNano) of the last voiced packet of
	// the latest utterance: the start of voice-to-voice latency.
	lastSpeechEnd atomic.Int64
	// vadEnd is the wall time (UnixNano) the VAD declared that utterance
	// over: the end of the end_of_speech stage.
	vadEnd atomic.Int64
	sttErr chan error // buffered 1
	// playing is set while the bot speaks; speech starting then is a
	// barge-in, signalled on bargeIn (buffered 1).
	playing atomic.Bool
	bargeIn chan struct{}
}

func newSpeechSignals() *speechSignals {
	return &speechSignals{speechStart: make(chan struct{}, 1), speechEnd: make(chan struct{}, 1), sttErr: make(chan error, 1),
		bargeIn: make(chan struct{}, 1)}
}

func (in *inbound) handle(buf []byte) error {
	if err := in.pkt.Unmarshal(buf); err != nil {
		return nil // not RTP we can read: ignore the packet, keep the call
	}
	payload := in.pkt.Payload
	in.m.rtpPacketsIn.Inc()
	in.m.rtpBytesIn.Add(float64(len(payload)))

	var dur time.Duration
	if in.codec == CodecPCMU {
		dur = time.Duration(len(payload)) * time.Second / 8000
	} else {
		dur = audio.OpusDuration(payload)
	}
	level := audio.LevelSilent
	if ext := in.pkt.GetExtension(in.levelExtID); in.levelExtID != 0 && ext != nil {
		level, _, _ = audio.ParseAudioLevel(ext)
	} else if in.codec == CodecPCMU {
		level = audio.LevelULaw(payload)
	} else if len(payload) > 10 {
		// Opus without the level extension: DTX/comfort-noise packets are a
		// few bytes, speech is larger.
		level = 30
	}
	if level <= in.vadThresholdValue {
		in.lastVoiced = in.now()
	}
	chunk := Chunk{Payload: payload, Duration: dur}
	switch in.vad.Push(level, dur) {
	case audio.VADSpeechStart:
		select {
		case in.sig.speechStart <- struct{}{}:
		default:
		}
		if in.sig.playing.Load() {
			select {
			case in.sig.bargeIn <- struct{}{}:
			default:
			}
		}
		return in.write(chunk)
	case audio.VADSpeechEnd:
		in.sig.lastSpeechEnd.Store(in.lastVoiced.UnixNano())
		in.sig.vadEnd.Store(in.now().UnixNano())
		select {
		case in.sig.speechEnd <- struct{}{}:
		default:
		}
		if err := in.stt.EndOfSpeech(); err != nil {
			in.reportSTT(err)
		}
		return nil
	}
	if in.vad.Speaking() {
		return in.write(chunk)
	}
	return nil
}

func (in *inbound) write(c Chunk) error {
	if err := in.stt.Write(c); err != nil {
		in.reportSTT(err)
	}
	return nil
}

func (in *inbound) reportSTT(err error) {
	select {
	case in.sig.sttErr <- err:
	default:
	}
}

// readLoop reads the remote track until it ends.
func (in *inbound) readLoop(track *webrtc.TrackRemote) {
	buf := make([]byte, 1500)
	for {
		n, _, err := track.Read(buf)
		if err != nil {
			return
		}
		in.packet(buf[:n])
	}
}

// packet is the whole per-packet work of the media goroutine: handle, and
// the count the session's loss ratio needs (quality.go).
func (in *inbound) packet(buf []byte) {
	_ = in.handle(buf)
	if in.received != nil {
		in.received.Add(1)
	}
}

// player sends bot audio on the session's outbound track, paced in real
// time, with its own RTP sequence numbers and timestamps.
type player struct {
	track     *webrtc.TrackLocalStaticRTP
	clockRate uint32
	pt        uint8
	m         *metrics
	now       func() time.Time
	sent      *atomic.Uint64 // the session's quality count, may be nil

	seq uint16
	ts  uint32
	pkt rtp.Packet
	// idleFrom is when the audio of the last packet sent ended: the next
	// talkspurt's timestamp advances by the silence since (RFC 3550 §5.1:
	// the timestamp follows the sampling clock, which runs through
	// silence), so receivers do not see the gap as jitter.
	idleFrom time.Time
}

// errPlaybackStopped: the session ended during playback.
var errPlaybackStopped = errors.New("playback stopped")

// play sends chunks in real time. onFirst is called after the first packet
// is written (voice-to-voice latency ends there).
func (p *player) play(ctx context.Context, chunks <-chan Chunk, onFirst func()) (int, error) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	var next time.Time
	sent := 0
	for c := range chunks {
		if next.IsZero() {
			next = p.now()
			if !p.idleFrom.IsZero() && next.After(p.idleFrom) {
				p.ts += uint32(next.Sub(p.idleFrom).Seconds()*float64(p.clockRate) + 0.5)
			}
		} else if d := next.Sub(p.now()); d > 0 {
			timer.Reset(d)
			select {
			case <-ctx.Done():
				return sent, errPlaybackStopped
			case <-timer.C:
			}
		}
		if ctx.Err() != nil {
			return sent, errPlaybackStopped
		}
		p.pkt.Header = rtp.Header{Version: 2, PayloadType: p.pt, SequenceNumber: p.seq, Timestamp: p.ts, Marker: sent == 0}
		p.pkt.Payload = c.Payload
		if err := p.track.WriteRTP(&p.pkt); err != nil {
			return sent, err
		}
		p.m.rtpPacketsOut.Inc()
		if p.sent != nil {
			p.sent.Add(1)
		}
		p.m.rtpBytesOut.Add(float64(len(c.Payload)))
		if sent == 0 && onFirst != nil {
			onFirst()
		}
		sent++
		p.seq++
		p.ts += uint32(c.Duration.Seconds()*float64(p.clockRate) + 0.5)
		next = next.Add(c.Duration)
		p.idleFrom = next
	}
	return sent, nil
}

// chunksOf streams a slice as a closed channel.
func chunksOf(cs []Chunk) <-chan Chunk {
	out := make(chan Chunk, len(cs))
	for _, c := range cs {
		out <- c
	}
	close(out)
	return out
}
