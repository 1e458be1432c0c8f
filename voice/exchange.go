package voice

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// exchange is one conversation exchange: the user's utterance and the
// bot's reply to it. Its timestamps mark the boundaries of the stages of
// voice_turn_stage_seconds (voicemetrics.Stages), in order:
//
//	spoke → vadEnd → final → replied → firstChunk → firstPacket
//
// spoke is the last voiced packet and firstPacket the first bot RTP packet,
// so the stages add up to the exchange's voice-to-voice latency.
type exchange struct {
	index                int
	spoke, vadEnd, final time.Time
	replied, firstChunk  time.Time
	firstPacket          time.Time
}

// stages returns the five stage durations. A boundary that is missing or
// earlier than the one before it (a recognizer that finalises before the
// VAD's hangover ends, a fallback voice with no first-byte time) is moved
// up to the one before, so stages are never negative and their sum is
// always firstPacket − spoke.
func (x *exchange) stages() [5]time.Duration {
	marks := [6]time.Time{x.spoke, x.vadEnd, x.final, x.replied, x.firstChunk, x.firstPacket}
	var out [5]time.Duration
	prev := marks[0]
	for i := 1; i < len(marks); i++ {
		m := marks[i]
		if m.Before(prev) {
			m = prev
		}
		out[i-1] = m.Sub(prev)
		prev = m
	}
	return out
}

// observeExchange records the exchange's voice-to-voice latency and its
// stages, and emits them with the bot.reply event's exchange index.
func (s *session) observeExchange(x *exchange) {
	m := s.srv.metrics
	total := x.firstPacket.Sub(x.spoke)
	m.responseLatency.Observe(total.Seconds())
	st := x.stages()
	attrs := []any{"exchange", x.index, "response_latency_seconds", total.Seconds()}
	for i, name := range stageNames {
		m.stages[name].Observe(st[i].Seconds())
		attrs = append(attrs, name+"_seconds", st[i].Seconds())
	}
	s.events.emit(slog.LevelDebug, EventExchange, attrs...)
	s.trace.exchange(x)
}

// watchBargeIn watches for the caller speaking while the bot plays. On a
// barge-in it counts voice_interruptions_total, emits bot.interrupted and,
// with audio.barge_in: stop, calls stop to cut the prompt short. The
// returned done ends the watch and reports whether the prompt was
// interrupted.
func (s *session) watchBargeIn(ctx context.Context, stop context.CancelFunc) (done func() bool) {
	select {
	case <-s.sig.bargeIn: // speech that started before this prompt
	default:
	}
	s.sig.playing.Store(true)
	var interrupted atomic.Bool
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case <-s.sig.bargeIn:
			interrupted.Store(true)
			s.srv.metrics.interruptions.Inc()
			policy := s.srv.cfg.Audio.BargeIn
			s.events.emit(slog.LevelInfo, EventBargeIn, "barge_in", policy)
			if policy == BargeInStop {
				stop()
			}
		case <-quit:
		case <-ctx.Done():
		}
	}()
	return func() bool {
		s.sig.playing.Store(false)
		close(quit)
		<-finished
		return interrupted.Load()
	}
}
