package voice

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// errSTTEnded: the STT stream closed while the session was still up.
var errSTTEnded = errors.New("speech recognition stream ended")

// runConversation is the session's turn-taking: the greeting, then one
// exchange (a reply) per final transcript of the user, with the silence
// timeout counted as an STT timeout (the user's turn ends; the call goes on).
func (s *session) runConversation() {
	ctx := s.ctx
	p := s.srv.providers
	if r, err := p.Dialog.Greeting(ctx, s.id); err != nil {
		s.dialogError(err)
	} else {
		s.say(ctx, r, nil)
	}
	silence := time.NewTimer(s.srv.cfg.Audio.SilenceTimeout)
	defer silence.Stop()
	reset := func() {
		silence.Stop()
		select {
		case <-silence.C:
		default:
		}
		silence.Reset(s.srv.cfg.Audio.SilenceTimeout)
	}
	results := s.stt.Results()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.sig.speechStart:
			silence.Stop()
		case <-s.sig.speechEnd:
			// Wait for the recognizer's final; if none comes (nothing
			// recognised, or a failed request), the silence timeout still
			// runs from here.
			reset()
		case err := <-s.sig.sttErr:
			s.sttError(err)
		case t, ok := <-results:
			if !ok {
				// The recognizer gave up (adapters reconnect by themselves
				// first). Tell the caller instead of going silent; the call
				// stays up so it can still be hung up cleanly.
				results = nil
				if ctx.Err() == nil {
					s.sttError(&ProviderError{Provider: p.STT.Name(), Reason: voicemetrics.ReasonOther, Err: errSTTEnded})
					s.say(ctx, Reply{Text: Apology}, nil)
				}
				continue
			}
			if !t.Final {
				continue
			}
			n := s.nextExchange()
			var x *exchange // nil: a final before any VAD end has no latency to measure
			if spoke := s.sig.lastSpeechEnd.Load(); spoke != 0 {
				x = &exchange{index: n, spoke: time.Unix(0, spoke), vadEnd: time.Unix(0, s.sig.vadEnd.Load()), final: s.srv.now()}
			}
			s.events.emit(slog.LevelDebug, EventTranscript, "turn", n, "text", t.Text)
			r, err := p.Dialog.Reply(ctx, Turn{SessionID: s.id, Index: n, Transcript: t})
			if err != nil {
				s.dialogError(err)
			} else {
				if x != nil {
					x.replied = s.srv.now()
				}
				s.say(ctx, r, x)
			}
			reset()
		case <-silence.C:
			// The user said nothing for the silence timeout: an STT timeout
			// outcome, handled as the end of the user's turn.
			s.srv.metrics.sttErrors.WithLabelValues(p.STT.Name(), voicemetrics.ReasonTimeout).Inc()
			s.events.emit(slog.LevelInfo, EventSTTError, "provider", p.STT.Name(), "reason", voicemetrics.ReasonTimeout,
				"error", "no speech for "+s.srv.cfg.Audio.SilenceTimeout.String())
			r, err := p.Dialog.Reply(ctx, Turn{SessionID: s.id, TimedOut: true})
			if err != nil {
				s.dialogError(err)
			} else {
				s.say(ctx, r, nil)
			}
			reset()
		}
	}
}

func (s *session) nextExchange() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.exchanges++
	return s.exchanges
}

// say plays a reply: its own audio, or the TTS of its text. x, when set,
// is the exchange the reply answers: its voice-to-voice latency and stages
// are measured at the first packet. The caller speaking over the reply is
// a barge-in (watchBargeIn).
func (s *session) say(ctx context.Context, r Reply, x *exchange) {
	playCtx, stop := context.WithCancel(ctx)
	defer stop()
	onFirst := func() {
		if x != nil {
			x.firstPacket = s.srv.now()
			s.observeExchange(x)
		}
	}
	var chunks <-chan Chunk
	switch {
	case len(r.Audio) > 0:
		if x != nil {
			x.firstChunk = x.replied // the reply is its own audio: no TTS
		}
		chunks = chunksOf(r.Audio)
	case r.Text != "":
		chunks = s.synthesize(playCtx, r.Text, x)
	}
	if chunks != nil {
		watching := s.watchBargeIn(playCtx, stop)
		n, err := s.player.play(playCtx, chunks, onFirst)
		interrupted := watching()
		if err != nil && ctx.Err() == nil && !interrupted {
			s.log.Warn("playback failed", "error", err)
		}
		if n > 0 {
			s.events.emit(slog.LevelDebug, EventReply, "text", r.Text, "packets", n, "interrupted", interrupted)
		}
	}
	if r.Hangup {
		s.end(endDialog)
	}
}

// synthesize streams the TTS of text, measuring the time to its first
// chunk (and marking it in x, when set). When the TTS fails before any
// audio, the embedded apology is played instead, so the caller is never
// left in silence; the error is counted.
func (s *session) synthesize(ctx context.Context, text string, x *exchange) <-chan Chunk {
	tts := s.srv.providers.TTS
	m := s.srv.metrics
	m.ttsRequests.WithLabelValues(tts.Name()).Inc()
	start := s.srv.now()
	in := make(chan Chunk, 8)
	out := make(chan Chunk, 8)
	errc := make(chan error, 1)
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		errc <- tts.Synthesize(ctx, text, s.format(), in)
		close(in)
	}()
	go func() {
		defer s.wg.Done()
		defer close(out)
		n := 0
		for c := range in {
			if n == 0 {
				first := s.srv.now()
				m.ttsFirstByte.WithLabelValues(tts.Name()).Observe(first.Sub(start).Seconds())
				if x != nil {
					x.firstChunk = first // read by the player after it receives c
				}
			}
			n++
			select {
			case out <- c:
			case <-ctx.Done():
			}
		}
		err := <-errc
		if err == nil || ctx.Err() != nil {
			return
		}
		s.ttsError(err)
		if n > 0 || s.srv.fallback == nil || tts == TTS(s.srv.fallback) {
			return
		}
		_ = s.srv.fallback.Synthesize(ctx, Apology, s.format(), out)
	}()
	return out
}

func (s *session) format() AudioFormat {
	if s.codec == CodecPCMU {
		return AudioFormat{Codec: CodecPCMU, SampleRate: 8000, Channels: 1}
	}
	return AudioFormat{Codec: CodecOpus, SampleRate: 48000, Channels: 2}
}

func (s *session) sttError(err error) {
	name := s.srv.providers.STT.Name()
	reason := ErrorReason(err)
	s.srv.metrics.sttErrors.WithLabelValues(name, reason).Inc()
	s.events.emit(slog.LevelWarn, EventSTTError, "provider", name, "reason", reason, "error", err.Error())
}

func (s *session) ttsError(err error) {
	name := s.srv.providers.TTS.Name()
	reason := ErrorReason(err)
	s.srv.metrics.ttsErrors.WithLabelValues(name, reason).Inc()
	s.events.emit(slog.LevelWarn, EventTTSError, "provider", name, "reason", reason, "error", err.Error())
}

func (s *session) dialogError(err error) {
	s.log.Warn("dialog failed", "provider", s.srv.providers.Dialog.Name(), "reason", ErrorReason(err), "error", err)
}
