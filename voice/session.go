package voice

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"github.com/voicewatch/voicewatch/voice/audio"
	"github.com/voicewatch/voicewatch/voice/store"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// Session lifecycle states.
const (
	stateStarted   = "started"
	stateConnected = "connected"
	stateEnded     = "ended"
)

// voicemetrics.Reasons a session ended (the `reason` field of session.ended).
const (
	endHangup         = "hangup"          // DELETE /whip/{id}
	endDialog         = "dialog_hangup"   // the dialog ended the call
	endMaxDuration    = "max_duration"    // max_session_duration reached
	endConnectTimeout = "connect_timeout" // never connected in time
	endICEFailed      = "ice_failed"      // ICE/DTLS failed
	endRestarts       = "restarts_exhausted"
	endShutdown       = "shutdown"
	endRedialed       = "redialed" // the caller redialled (POST /whip with Voicewatch-Redial-Of)
	endError          = "error"
	endNoMediaPort    = voicemetrics.RejectNoMediaPort // limits.go: rejected, not failed
)

// session is one WHIP call.
type session struct {
	id       string
	srv      *Server
	pc       *webrtc.PeerConnection
	log      *slog.Logger
	events   *eventHub
	clientIP string
	started  time.Time
	codec    Codec
	redialOf string // the session this one redials (Voicewatch-Redial-Of), or ""

	stt    STTStream
	sig    *speechSignals
	saves  chan store.Record // records to write, in order; see startSaver
	saved  chan struct{}     // closed when the last record is written
	player *player
	// quality collects RTCP loss, jitter and RTT (quality.go); set by
	// negotiate before the PeerConnection exists.
	quality *quality
	trace   *sessionTrace // nil when tracing is off

	ice iceSession // WHIP PATCH state: ETag, ICE generations; see patch.go

	ctx    context.Context // the session's lifetime; cancelled by end
	cancel context.CancelFunc
	wg     sync.WaitGroup // media and conversation goroutines

	mu          sync.Mutex
	state       string
	connectedAt time.Time
	budget      candidateBudget // remote candidates and PATCHes (candidates.go); guarded by ice.patchMu
	restarts    int
	exchanges   int // user utterances answered (the record's and session.ended's "turns")
	gathering   time.Duration
	pair        string
	pairPending bool // a peer-reflexive pair waits for prflxGrace before it is counted
	version     int
	outcome     string
	reason      string
	timers      []*time.Timer
	savesClosed bool
	media       qualitySummary // set at the end
}

// outcomeFor maps how a session ended onto the documented outcomes.
func outcomeFor(connected bool, reason string) string {
	switch {
	case reason == endNoMediaPort:
		return voicemetrics.OutcomeRejected
	case reason == endError:
		return voicemetrics.OutcomeFailed
	case !connected && reason == endHangup:
		return voicemetrics.OutcomeAbandoned // the caller left before the call connected
	case !connected:
		return voicemetrics.OutcomeFailed
	case reason == endHangup, reason == endDialog, reason == endMaxDuration:
		return voicemetrics.OutcomeCompleted
	default: // connected, then the peer vanished or the server went away
		return voicemetrics.OutcomeAbandoned
	}
}

// end finishes the session once: closes the PeerConnection, records the
// outcome and saves the final record.
func (s *session) end(reason string) {
	s.mu.Lock()
	if s.state == stateEnded {
		s.mu.Unlock()
		return
	}
	connected := !s.connectedAt.IsZero()
	s.state = stateEnded
	s.outcome = outcomeFor(connected, reason)
	s.reason = reason
	for _, t := range s.timers {
		t.Stop()
	}
	s.mu.Unlock()

	s.cancel()
	if s.pc != nil {
		// A call shorter than prflxGrace still counts its pair.
		s.countPendingPair()
		s.closePC() // ends the media goroutines (track reads fail); turnrelease.go
	}
	dur := s.srv.now().Sub(s.started)
	m := s.srv.metrics
	m.sessionsEnded.WithLabelValues(s.outcome).Inc()
	if s.outcome == voicemetrics.OutcomeRejected {
		m.sessionsRejected.WithLabelValues(reason).Inc()
	}
	m.sessionDuration.WithLabelValues(s.outcome).Observe(dur.Seconds())
	m.sessionsActive.Dec()
	level := slog.LevelInfo
	if s.outcome == voicemetrics.OutcomeFailed || s.outcome == voicemetrics.OutcomeRejected {
		level = slog.LevelWarn
	}
	attrs := []any{"outcome", s.outcome, "reason", reason, "duration_seconds", dur.Seconds(), "turns", s.exchangesDone()}
	q := s.endQuality()
	s.trace.end(s.srv.now(), s.outcome, reason, q)
	if q.ok {
		attrs = append(attrs, "mos", q.mos, "packet_loss_in", q.lossIn, "packet_loss_out", q.lossOut,
			"jitter_in_seconds", q.jitterIn.Seconds(), "jitter_out_seconds", q.jitterOut.Seconds(), "rtt_seconds", q.rtt.Seconds())
	}
	s.events.emit(level, EventSessionEnded, attrs...)
	s.save()
	// The session leaves the table only once its final record is stored
	// (bounded by the store's timeout), so a completed DELETE means the
	// record is final.
	if s.saved != nil {
		<-s.saved
	}
	s.events.close()
	s.srv.remove(s)
}

// endQuality summarises the session's media quality once, observes its
// MOS and keeps the summary for the final record. Sessions that never saw
// an RTCP report (never connected, or shorter than the ~1 s report
// interval) get no MOS.
func (s *session) endQuality() qualitySummary {
	if s.quality == nil {
		return qualitySummary{}
	}
	q := s.quality.summary()
	if q.ok {
		s.srv.metrics.mos.Observe(q.mos)
	}
	s.mu.Lock()
	s.media = q
	s.mu.Unlock()
	return q
}

func (s *session) exchangesDone() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exchanges
}

// after runs f after d unless the session ends first.
func (s *session) after(d time.Duration, f func()) {
	t := time.AfterFunc(d, f)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == stateEnded {
		t.Stop()
		return
	}
	s.timers = append(s.timers, t)
}

// startSaver starts the goroutine that writes this session's records in
// order, off the signaling and ICE paths (a store write may fsync or call
// DynamoDB).
func (s *session) startSaver() {
	s.saves = make(chan store.Record, 8) // at most one record per state change
	s.saved = make(chan struct{})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(s.saved)
		for r := range s.saves {
			s.put(r)
		}
	}()
}

// save queues a snapshot of the session record; the ended record is the
// last one.
func (s *session) save() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.savesClosed {
		return
	}
	s.version++
	r := store.Record{
		ID: s.id, Version: s.version, State: s.state, Outcome: s.outcome, Reason: s.reason,
		ClientIP: s.clientIP, Codec: string(s.codec), StartedAt: s.started, ConnectedAt: s.connectedAt,
		ICEGatheringSeconds: s.gathering.Seconds(), SelectedPair: s.pair, Turns: s.exchanges, ICERestarts: s.restarts,
		RedialOf: s.redialOf, Owner: s.srv.cfg.Cluster.AdvertiseURL,
	}
	if !r.ConnectedAt.IsZero() {
		r.SetupSeconds = r.ConnectedAt.Sub(r.StartedAt).Seconds()
	}
	if q := s.media; q.ok {
		r.MOS, r.PacketLossIn, r.PacketLossOut = q.mos, q.lossIn, q.lossOut
		r.JitterInSeconds, r.JitterOutSeconds, r.RTTSeconds = q.jitterIn.Seconds(), q.jitterOut.Seconds(), q.rtt.Seconds()
	}
	if s.state == stateEnded {
		r.EndedAt = s.srv.now()
	}
	s.saves <- r
	if s.state == stateEnded {
		s.savesClosed = true
		close(s.saves)
	}
}

// put writes one record; failures are counted and logged, never fatal to
// the call.
func (s *session) put(r store.Record) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.store.Put(ctx, r)
	result := voicemetrics.StoreOK
	level := slog.LevelDebug
	switch {
	case errors.Is(err, store.ErrConflict):
		result, level = voicemetrics.StoreConflict, slog.LevelError
	case errors.Is(err, store.ErrThrottled):
		result, level = voicemetrics.StoreThrottled, slog.LevelWarn
	case err != nil:
		result, level = voicemetrics.StoreError, slog.LevelError
	}
	s.srv.metrics.storeWrites.WithLabelValues(result).Inc()
	attrs := []any{"result", result, "version", r.Version, "state", r.State}
	if err != nil {
		attrs = append(attrs, "error", err.Error())
	}
	s.events.emit(level, EventStoreWrite, attrs...)
}

// onConnectionState records every PeerConnection state change.
func (s *session) onConnectionState(st webrtc.PeerConnectionState) {
	m := s.srv.metrics
	m.stateChanges.WithLabelValues(st.String()).Inc()
	level := slog.LevelInfo
	if st == webrtc.PeerConnectionStateFailed || st == webrtc.PeerConnectionStateDisconnected {
		level = slog.LevelWarn
	}
	s.events.emit(level, EventConnectionState, "state", st.String())
	switch st {
	case webrtc.PeerConnectionStateConnected:
		s.onConnected()
	case webrtc.PeerConnectionStateFailed:
		s.mu.Lock()
		connected := !s.connectedAt.IsZero()
		ended := s.state == stateEnded
		s.mu.Unlock()
		if ended {
			return
		}
		if !connected {
			m.connections.WithLabelValues(voicemetrics.ConnectionFailed).Inc()
		}
		s.end(endICEFailed)
	}
}

func (s *session) onConnected() {
	now := s.srv.now()
	s.mu.Lock()
	if s.state != stateStarted { // reconnect after an ICE restart
		s.mu.Unlock()
		s.recordPair()
		return
	}
	s.state = stateConnected
	s.connectedAt = now
	s.mu.Unlock()
	m := s.srv.metrics
	m.connections.WithLabelValues(voicemetrics.ConnectionConnected).Inc()
	m.setupDuration.Observe(now.Sub(s.started).Seconds())
	s.recordPair()
	s.save()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.runConversation()
	}()
}

// prflxGrace is how long a selected pair whose remote candidate is
// peer-reflexive waits before it is counted. A trickling caller's first
// connectivity check through its TURN relay often arrives before the PATCH
// that signals the relay candidate; the check makes the caller's address a
// peer-reflexive candidate, which pion's ICE agent replaces with the
// signalled one when the PATCH comes (RFC 8838 §11.4). Counted at once,
// browsers' relayed calls would show as prflx and the relay share on the
// dashboards would be too low (half of Chromium's TURN/TLS calls in the
// test, on loopback).
const prflxGrace = 2 * time.Second

// recordPair counts the selected candidate pair by types and protocol,
// once per connection; a peer-reflexive remote candidate is counted after
// prflxGrace (or when the session ends), as whatever it has become then.
func (s *session) recordPair() {
	local, remote, proto := s.selectedPair()
	if local == "" {
		return
	}
	s.mu.Lock()
	s.pair = local + "/" + remote + "/" + proto
	if s.pairPending {
		s.mu.Unlock()
		return
	}
	if remote == webrtc.ICECandidateTypePrflx.String() {
		s.pairPending = true
		s.mu.Unlock()
		s.after(prflxGrace, s.countPendingPair)
		return
	}
	s.mu.Unlock()
	s.countPair(local, remote, proto)
}

// countPendingPair counts the pair recordPair left pending, as it is now.
func (s *session) countPendingPair() {
	s.mu.Lock()
	if !s.pairPending {
		s.mu.Unlock()
		return
	}
	s.pairPending = false
	s.mu.Unlock()
	local, remote, proto := s.selectedPair()
	s.mu.Lock()
	if local == "" { // no pair any more (the connection dropped): the last one seen
		local, remote, proto = splitPair(s.pair)
	} else {
		s.pair = local + "/" + remote + "/" + proto
	}
	s.mu.Unlock()
	s.countPair(local, remote, proto)
}

// countPair counts one selected pair and emits its event.
func (s *session) countPair(local, remote, proto string) {
	s.srv.metrics.selectedPairs.WithLabelValues(local, remote, proto).Inc()
	s.events.emit(slog.LevelInfo, EventICESelectedPair, "local_type", local, "remote_type", remote, "protocol", proto)
}

// splitPair splits the "local/remote/protocol" string recordPair keeps.
func splitPair(p string) (local, remote, proto string) {
	local, rest, _ := strings.Cut(p, "/")
	remote, proto, _ = strings.Cut(rest, "/")
	return local, remote, proto
}

// selectedPair is the selected candidate pair's local and remote types and
// protocol, or "" when there is none.
func (s *session) selectedPair() (local, remote, proto string) {
	for _, tr := range s.pc.GetTransceivers() {
		sender := tr.Sender()
		if sender == nil || sender.Transport() == nil {
			continue
		}
		pair, err := sender.Transport().ICETransport().GetSelectedCandidatePair()
		if err != nil || pair == nil {
			continue
		}
		return pair.Local.Typ.String(), pair.Remote.Typ.String(), strings.ToLower(pair.Local.Protocol.String())
	}
	return "", "", ""
}

// onTrack starts reading the caller's audio.
func (s *session) onTrack(track *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
	if track.Kind() != webrtc.RTPCodecTypeAudio {
		return
	}
	in := &inbound{
		codec:             s.codec,
		vad:               audio.NewVAD(audio.VADConfig{Threshold: s.srv.cfg.Audio.VADThreshold, Hangover: s.srv.cfg.Audio.EndOfSpeech}),
		vadThresholdValue: s.srv.cfg.Audio.VADThreshold,
		stt:               s.stt,
		m:                 s.srv.metrics,
		sig:               s.sig,
		now:               s.srv.now,
		received:          &s.quality.received,
	}
	for _, ext := range recv.GetParameters().HeaderExtensions {
		if ext.URI == sdp.AudioLevelURI {
			in.levelExtID = uint8(ext.ID)
		}
	}
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		in.readLoop(track)
	}()
	go func() {
		defer s.wg.Done()
		// The caller's sender reports: reading them lets pion's report
		// interceptor fill LSR/DLSR in our receiver reports, so the caller
		// can measure its round trip too.
		for {
			if _, _, err := recv.ReadRTCP(); err != nil {
				return
			}
		}
	}()
}
