package transcribe

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/voicewatch/voicewatch/voice"
	"github.com/voicewatch/voicewatch/voice/audio"
)

// stream is one session's recognition stream. Write and EndOfSpeech hand
// work to the runner goroutine without blocking the media goroutine; the
// runner owns the requests, the utterance state and the results channel.
type stream struct {
	stt     *STT
	enc     encoding
	ops     chan op
	events  chan connEvent
	results chan voice.Transcript
	cancel  context.CancelFunc
	done    chan struct{} // closed when the runner has exited
	// retryC and timeoutC deliver an utterance's retry and result-timeout
	// timers to the runner.
	retryC   chan *utterance
	timeoutC chan *utterance
	closed   atomic.Bool

	errMu   sync.Mutex
	pending error // the first unreported asynchronous error
	// errReady is signalled when an error becomes pending (tests wait on it).
	errReady chan struct{}
}

type opKind int

const (
	opAudio opKind = iota
	opEnd
)

type op struct {
	kind    opKind
	payload []byte
	dur     time.Duration
}

// opsBuffer is the number of chunks Write may queue ahead of the runner.
const opsBuffer = 256

func newStream(ctx context.Context, stt *STT, enc encoding) *stream {
	ctx, cancel := context.WithCancel(ctx)
	s := &stream{
		stt: stt, enc: enc,
		ops:      make(chan op, opsBuffer),
		events:   make(chan connEvent, 16),
		results:  make(chan voice.Transcript, 64),
		cancel:   cancel,
		done:     make(chan struct{}),
		retryC:   make(chan *utterance, 1),
		errReady: make(chan struct{}, 1),
		timeoutC: make(chan *utterance, 1),
	}
	go s.run(ctx)
	return s
}

// Write implements voice.STTStream. It copies the chunk (the media core
// reuses its buffer) and returns at most once each asynchronous error of
// the stream.
func (s *stream) Write(c voice.Chunk) error {
	if s.closed.Load() {
		return ErrClosed
	}
	p := make([]byte, len(c.Payload))
	copy(p, c.Payload)
	select {
	case s.ops <- op{kind: opAudio, payload: p, dur: c.Duration}:
	case <-s.done:
		return ErrClosed
	default:
		s.report(ErrOverflow)
	}
	return s.takeError()
}

// EndOfSpeech implements voice.STTStream: the request of the utterance is
// ended, and its final result is delivered on Results.
func (s *stream) EndOfSpeech() error {
	if s.closed.Load() {
		return ErrClosed
	}
	select {
	case s.ops <- op{kind: opEnd}:
	case <-s.done:
		return ErrClosed
	default:
		s.report(ErrOverflow)
	}
	return s.takeError()
}

// Results implements voice.STTStream.
func (s *stream) Results() <-chan voice.Transcript { return s.results }

// Close implements voice.STTStream: it cancels any request and waits for
// the stream's goroutines. It is idempotent.
func (s *stream) Close() error {
	s.closed.Store(true)
	s.cancel()
	<-s.done
	return nil
}

// report keeps the first unreported error, classified.
func (s *stream) report(err error) {
	pe, _ := classify(err)
	s.errMu.Lock()
	defer s.errMu.Unlock()
	if s.pending == nil {
		s.pending = pe
		select {
		case s.errReady <- struct{}{}:
		default:
		}
	}
}

func (s *stream) takeError() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	err := s.pending
	s.pending = nil
	return err
}

// utterance is the state of the user's current utterance.
type utterance struct {
	conn     *conn
	attempts int
	ended    bool // EndOfSpeech seen
	// chunks are the encoded audio sent so far, kept for a replay on retry.
	chunks     [][]byte
	replayable bool
	buf        []byte
	bufDur     time.Duration
	pcm        pcmEncoder
	ogg        oggOpus

	finals  []string
	seen    map[string]bool // final result IDs
	partial string
	retry   *time.Timer
	timeout *time.Timer
}

func (u *utterance) text() string {
	parts := append([]string(nil), u.finals...)
	if u.partial != "" {
		parts = append(parts, u.partial)
	}
	return strings.Join(parts, " ")
}

// run is the stream's runner; it exits when the stream is closed or the
// session's context ends, after its requests' goroutines.
func (s *stream) run(ctx context.Context) {
	var wg sync.WaitGroup
	var u *utterance
	var serial uint32
	defer func() {
		if u != nil {
			u.stopTimers()
		}
		wg.Wait()
		close(s.results)
		close(s.done)
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case o := <-s.ops:
			switch o.kind {
			case opAudio:
				if u == nil {
					serial++
					u = &utterance{replayable: true, seen: map[string]bool{}}
					u.pcm.factor = s.enc.rate / 8000
					u.ogg.serial = serial
					u.conn = s.stt.dial(ctx, s.enc, s.events, &wg)
				}
				if u.ended {
					continue // audio after the end frame belongs to no request
				}
				s.encode(u, o)
			case opEnd:
				if u == nil || u.ended {
					continue
				}
				u.ended = true
				s.flush(u, true)
				if u.conn != nil {
					close(u.conn.frames)
				}
				u.timeout = s.after(s.stt.cfg.ResultTimeout, u, s.timeoutC)
			}
		case ev := <-s.events:
			if u == nil || ev.c != u.conn {
				continue // a request we gave up on
			}
			switch {
			case ev.results != nil:
				s.onResults(ctx, u, ev.results)
			case ev.eof && u.ended:
				s.finish(ctx, u)
				u = nil
			case ev.eof:
				u = s.onError(ctx, u, ErrStreamEnded)
			default:
				u = s.onError(ctx, u, ev.err)
			}
		case r := <-s.retryC:
			if r != u {
				continue
			}
			s.redial(ctx, u, &wg)
		case r := <-s.timeoutC:
			if r == u && u.conn != nil {
				u.conn.cancel(ErrResultTimeout)
			}
		}
	}
}

// after delivers u on ch after d, unless stopped.
func (s *stream) after(d time.Duration, u *utterance, ch chan<- *utterance) *time.Timer {
	return time.AfterFunc(d, func() {
		select {
		case ch <- u:
		default:
		}
	})
}

func (u *utterance) stopTimers() {
	if u.retry != nil {
		u.retry.Stop()
	}
	if u.timeout != nil {
		u.timeout.Stop()
	}
}

// encode adds one chunk to the utterance and sends a full chunk of
// ChunkDuration.
func (s *stream) encode(u *utterance, o op) {
	dur := o.dur
	if s.enc.name == mediaEncodingOpus {
		if dur == 0 {
			dur = audio.OpusDuration(o.payload)
		}
		u.buf = u.ogg.packet(u.buf, o.payload)
	} else {
		if dur == 0 {
			dur = time.Duration(len(o.payload)) * time.Second / 8000
		}
		u.buf = u.pcm.encode(u.buf, o.payload)
	}
	u.bufDur += dur
	if u.bufDur >= s.stt.cfg.ChunkDuration {
		s.flush(u, false)
	}
}

// flush sends the buffered audio as one AudioEvent.
func (s *stream) flush(u *utterance, last bool) {
	if last && s.enc.name == mediaEncodingOpus {
		u.buf = u.ogg.end(u.buf)
	}
	if len(u.buf) == 0 {
		return
	}
	chunk := u.buf
	u.buf, u.bufDur = nil, 0
	if len(u.chunks) < maxChunks {
		u.chunks = append(u.chunks, chunk)
	} else {
		u.replayable = false
	}
	if u.conn == nil {
		return // waiting for a retry: the chunk is replayed then
	}
	select {
	case u.conn.frames <- chunk:
	default:
		s.report(ErrOverflow)
	}
}

// onResults updates the utterance's text and delivers a partial transcript.
func (s *stream) onResults(ctx context.Context, u *utterance, rs []result) {
	for _, r := range rs {
		if r.partial {
			u.partial = r.text
			continue
		}
		if !u.seen[r.id] || r.id == "" {
			u.seen[r.id] = true
			if t := strings.TrimSpace(r.text); t != "" {
				u.finals = append(u.finals, t)
			}
		}
		u.partial = ""
	}
	if t := u.text(); t != "" {
		select {
		case s.results <- voice.Transcript{Text: t}:
		default: // the dialog is behind; partials are disposable
		}
	}
}

// finish delivers the utterance's final transcript.
func (s *stream) finish(ctx context.Context, u *utterance) {
	u.stopTimers()
	if u.conn != nil {
		u.conn.cancel(errAbandoned)
	}
	t := u.text()
	if t == "" {
		return // nothing recognised (noise): no turn
	}
	select {
	case s.results <- voice.Transcript{Text: t, Final: true}:
	case <-ctx.Done():
	}
}

// onError handles a failed request: the no-audio timeout ends the turn,
// retryable failures are retried with the utterance's audio, others drop
// the utterance. It returns the utterance that stays current (nil: none).
func (s *stream) onError(ctx context.Context, u *utterance, err error) *utterance {
	pe, retry := classify(err)
	s.report(pe)
	u.conn.cancel(errAbandoned)
	u.conn = nil
	var ae *APIError
	if errors.As(err, &ae) && isNoAudioTimeout(ae) {
		s.stt.log.Info("no audio for the service's timeout: end of turn", "reason", pe.Reason)
		s.finish(ctx, u)
		return nil
	}
	if retry && u.replayable && u.attempts < s.stt.cfg.MaxRetries {
		u.attempts++
		backoff := s.stt.cfg.RetryBackoff << (u.attempts - 1)
		s.stt.log.Warn("request failed, retrying", "reason", pe.Reason, "attempt", u.attempts, "backoff", backoff, "error", err)
		if u.timeout != nil {
			u.timeout.Stop()
		}
		u.retry = s.after(backoff, u, s.retryC)
		return u
	}
	s.stt.log.Warn("request failed", "reason", pe.Reason, "error", err)
	// Give the dialog what was recognised for sure; drop the rest.
	u.partial = ""
	s.finish(ctx, u)
	return nil
}

// redial opens a new request for u and replays its audio.
func (s *stream) redial(ctx context.Context, u *utterance, wg *sync.WaitGroup) {
	u.conn = s.stt.dial(ctx, s.enc, s.events, wg)
	u.finals, u.partial, u.seen = nil, "", map[string]bool{}
	for _, c := range u.chunks {
		u.conn.frames <- c // cannot block: frames holds maxChunks+1
	}
	if u.ended {
		close(u.conn.frames)
		u.timeout = s.after(s.stt.cfg.ResultTimeout, u, s.timeoutC)
	}
}
