package voice

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// WHIP (RFC 9725) media types.
const (
	mimeSDP     = "application/sdp"
	mimeSDPFrag = "application/trickle-ice-sdpfrag"
)

// maxSDPBytes bounds offers and fragments (an audio offer is ~3 KiB).
const maxSDPBytes = 64 << 10

// offerInfo is what we need from a parsed offer.
type offerInfo struct {
	codec Codec
	ufrag string
}

// parseOffer checks an SDP offer and picks the codec: the first of prefer
// that the offer has, else the first of Opus and PCMU in the offer's audio
// format order (browsers offer Opus first).
func parseOffer(raw string, prefer []Codec) (offerInfo, error) {
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(raw); err != nil {
		return offerInfo{}, fmt.Errorf("%w: %v", ErrBadSDP, err)
	}
	var info offerInfo
	if u, ok := sd.Attribute("ice-ufrag"); ok {
		info.ufrag = u
	}
	for _, md := range sd.MediaDescriptions {
		if md.MediaName.Media != "audio" {
			continue
		}
		if info.ufrag == "" {
			info.ufrag, _ = md.Attribute("ice-ufrag")
		}
		var offered []Codec
		for _, f := range md.MediaName.Formats {
			pt, err := strconv.ParseUint(f, 10, 8)
			if err != nil {
				continue
			}
			codec, err := sd.GetCodecForPayloadType(uint8(pt))
			if err != nil {
				continue
			}
			switch strings.ToLower(codec.Name) {
			case "opus":
				offered = append(offered, CodecOpus)
			case "pcmu":
				offered = append(offered, CodecPCMU)
			}
		}
		for _, c := range prefer {
			if slices.Contains(offered, c) {
				info.codec = c
				return info, nil
			}
		}
		if len(prefer) == 0 && len(offered) > 0 {
			info.codec = offered[0]
			return info, nil
		}
		if len(offered) > 0 {
			return offerInfo{}, fmt.Errorf("%w: the TTS speaks %v only", ErrNoCodec, prefer)
		}
		return offerInfo{}, ErrNoCodec
	}
	return offerInfo{}, ErrNoAudio
}

func readBody(w http.ResponseWriter, r *http.Request, wantType string) (string, int, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != wantType {
		return "", http.StatusUnsupportedMediaType, fmt.Errorf("Content-Type must be %s", wantType)
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSDPBytes))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return "", http.StatusRequestEntityTooLarge, fmt.Errorf("body over %d bytes", maxSDPBytes)
	}
	if err != nil {
		return "", http.StatusBadRequest, fmt.Errorf("read body: %w", err)
	}
	return string(b), 0, nil
}

// handleOffer is POST /whip: create a session from an SDP offer.
func (s *Server) handleOffer(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="voicewatch"`)
		refuse(w, http.StatusUnauthorized, "missing or invalid bearer token")
		return
	}
	offer, status, err := readBody(w, r, mimeSDP)
	if err != nil {
		refuse(w, status, err.Error())
		return
	}
	info, err := parseOffer(offer, s.codecPreference())
	nCand := 0
	if err == nil {
		offer, nCand, err = checkOffer(offer, s.cfg.ICE) // sdpcheck.go: 400 before a session exists
	}
	if err != nil {
		problem(w, http.StatusBadRequest, err.Error())
		return
	}
	redialOf, err := redialHeader(r)
	if err != nil {
		problem(w, http.StatusBadRequest, err.Error())
		return
	}
	start := s.now()
	ctx, cancel := context.WithCancel(context.Background())
	sess := &session{
		id: newSessionID(), srv: s, started: start, codec: info.codec, clientIP: clientIP(r),
		ctx: ctx, cancel: cancel, state: stateStarted, sig: newSpeechSignals(), budget: candidateBudget{candidates: nCand},
		ice: iceSession{etag: newETag(), remoteOffer: offer, remoteUfrag: info.ufrag}, redialOf: redialOf,
	}
	sess.log = s.log.With("session_id", sess.id)
	sess.events = newEventHub(sess.log, s.now)
	if err := s.admit(sess); err != nil {
		cancel()
		reason := rejectReason(err)
		s.metrics.sessionsEnded.WithLabelValues(voicemetrics.OutcomeRejected).Inc()
		s.metrics.sessionsRejected.WithLabelValues(reason).Inc()
		s.log.Warn(EventSessionEnded, "event", EventSessionEnded, "outcome", voicemetrics.OutcomeRejected, "reason", reason, "client_ip", sess.clientIP)
		w.Header().Set("Retry-After", "5")
		problem(w, http.StatusServiceUnavailable, err.Error()+"; retry later")
		return
	}
	sess.startSaver()
	s.metrics.sessionsStarted.Inc()
	s.metrics.sessionsActive.Inc()
	started := []any{"client_ip", sess.clientIP, "codec", string(info.codec)}
	if redialOf != "" {
		started = append(started, "redial_of", redialOf)
	}
	sess.events.emit(slog.LevelInfo, EventSessionStarted, started...)
	s.endRedialed(redialOf, sess.id)

	answer, err := s.negotiate(r.Context(), sess, offer)
	if errors.Is(err, ErrNoMediaPort) { // limits.go: 503, not a failed call
		sess.end(endNoMediaPort)
		w.Header().Set("Retry-After", "5")
		problem(w, http.StatusServiceUnavailable, err.Error()+"; retry later")
		return
	}
	if err != nil {
		sess.log.Warn("negotiation failed", "error", err)
		sess.end(endError)
		problem(w, http.StatusBadRequest, err.Error())
		return
	}
	sess.save()
	sess.after(s.cfg.ICE.ConnectTimeout, func() {
		sess.mu.Lock()
		waiting := sess.state == stateStarted
		sess.mu.Unlock()
		if waiting {
			s.metrics.connections.WithLabelValues(voicemetrics.ConnectionTimeout).Inc()
			sess.events.emit(slog.LevelWarn, EventICETimeout, "phase", "connect", "timeout_seconds", s.cfg.ICE.ConnectTimeout.Seconds())
			sess.end(endConnectTimeout)
		}
	})
	sess.after(s.cfg.MaxSessionDuration, func() { sess.end(endMaxDuration) })

	w.Header().Set("Content-Type", mimeSDP)
	w.Header().Set("Location", "/whip/"+sess.id)
	w.Header().Set("ETag", sess.ice.etag)
	w.Header().Set("Accept-Patch", mimeSDPFrag)
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, answer)
}

// negotiate creates the PeerConnection, answers the offer and waits for ICE
// gathering (bounded; see gather).
func (s *Server) negotiate(ctx context.Context, sess *session, offer string) (string, error) {
	sess.quality = newQuality(s.metrics, sess.codec)
	sess.trace = s.tracing.startTrace(sess.id, sess.started, sess.codec)
	pc, err := s.api.forSession(sess.quality).NewPeerConnection(webrtc.Configuration{ICEServers: iceServers(s.cfg.ICE.Servers, s.now())})
	if err != nil {
		return "", fmt.Errorf("create peer connection: %w", err)
	}
	sess.pc = pc
	pc.OnConnectionStateChange(sess.onConnectionState)
	stt, err := s.providers.STT.Start(sess.ctx, sess.format())
	s.metrics.sttRequests.WithLabelValues(s.providers.STT.Name()).Inc()
	if err != nil {
		sess.sttError(err)
		return "", fmt.Errorf("start speech recognition: %w", err)
	}
	sess.stt = stt
	sess.wg.Add(1)
	go func() {
		defer sess.wg.Done()
		<-sess.ctx.Done()
		_ = stt.Close()
	}()
	pc.OnTrack(sess.onTrack)

	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadSDP, err)
	}
	codec := opusCodec
	if sess.codec == CodecPCMU {
		codec = pcmuCodec
	}
	// Answer with the chosen codec only, so the caller sends what the
	// pipeline expects even when it offered another codec first.
	for _, tr := range pc.GetTransceivers() {
		if tr.Kind() == webrtc.RTPCodecTypeAudio {
			if err := tr.SetCodecPreferences([]webrtc.RTPCodecParameters{codec}); err != nil {
				return "", fmt.Errorf("set codec preferences: %w", err)
			}
		}
	}
	track, err := webrtc.NewTrackLocalStaticRTP(codec.RTPCodecCapability, "audio", "voicewatch")
	if err != nil {
		return "", fmt.Errorf("create audio track: %w", err)
	}
	sender, err := pc.AddTrack(track)
	if err != nil {
		return "", fmt.Errorf("add audio track: %w", err)
	}
	if sess.trace != nil {
		sender.Transport().OnStateChange(func(st webrtc.DTLSTransportState) {
			if st == webrtc.DTLSTransportStateConnecting || st == webrtc.DTLSTransportStateConnected {
				sess.trace.dtlsState(st == webrtc.DTLSTransportStateConnecting, s.now())
			}
		})
	}
	sess.wg.Add(1)
	go func() {
		defer sess.wg.Done()
		sess.quality.readSenderRTCP(sender) // returns when the PeerConnection closes
	}()
	sess.player = &player{track: track, clockRate: codec.ClockRate, pt: uint8(codec.PayloadType), m: s.metrics, now: s.now, sent: &sess.quality.sent}
	return s.answer(ctx, sess)
}

// answer creates and sets the local answer and waits for gathering.
func (s *Server) answer(ctx context.Context, sess *session) (string, error) {
	pc := sess.pc
	ans, err := pc.CreateAnswer(nil)
	if err != nil {
		return "", fmt.Errorf("create answer: %w", err)
	}
	g := newGatherWatch(pc, s.cfg.ICE.Servers, s.cfg.ICE.STUNGatherTimeout)
	start := s.now()
	if err := pc.SetLocalDescription(ans); err != nil {
		return "", fmt.Errorf("set local description: %w", err)
	}
	how := g.wait(ctx, s.cfg.ICE.GatheringTimeout)
	d := s.now().Sub(start)
	if how != gatherAborted && g.count() == 0 && (s.cfg.ICE.UDPPortMin != 0 || s.cfg.ICE.UDPPortMax != 0) {
		return "", ErrNoMediaPort // the port range is used up: an answer without candidates cannot connect
	}
	s.metrics.gatheringDuration.Observe(d.Seconds())
	sess.mu.Lock()
	sess.gathering = d
	sess.mu.Unlock()
	level := slog.LevelInfo
	if how == gatherTimeout {
		level = slog.LevelWarn
		s.metrics.gatheringTimeouts.Inc()
		sess.events.emit(level, EventICETimeout, "phase", "gathering", "timeout_seconds", s.cfg.ICE.GatheringTimeout.Seconds())
	}
	sess.events.emit(level, EventICEGathering, "duration_seconds", d.Seconds(), "candidates", g.count(), "complete", string(how))
	sess.trace.signaled(sess.started, start, start.Add(d), s.now(), string(how), g.count())
	return pc.LocalDescription().SDP, nil
}

// handleDelete is DELETE /whip/{id}: the caller hangs up.
func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.authorizedSessionOf(w, r)
	if !ok {
		return
	}
	sess.end(endHangup)
	w.WriteHeader(http.StatusOK)
}

// handleOptions answers OPTIONS /whip with the ICE servers the client
// should use (RFC 9725 §4.6 Link headers), so the test page needs no config.
func (s *Server) handleOptions(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Accept-Post", mimeSDP)
	if s.authorized(r) {
		for _, is := range iceServers(s.cfg.ICE.Servers, s.now()) {
			for _, u := range is.URLs {
				link := "<" + u + `>; rel="ice-server"`
				if is.Username != "" {
					link += fmt.Sprintf(`; username=%q; credential=%q; credential-type="password"`, is.Username, is.Credential)
				}
				w.Header().Add("Link", link)
			}
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// sdpFrag is a parsed application/trickle-ice-sdpfrag body (RFC 8840).
type sdpFrag struct {
	ufrag, pwd, mid string
	candidates      []string
	end             bool
}

func parseFrag(body string) sdpFrag {
	var f sdpFrag
	for line := range strings.Lines(body) {
		line = strings.TrimRight(line, "\r\n")
		v, ok := strings.CutPrefix(line, "a=")
		if !ok {
			continue
		}
		switch {
		case strings.HasPrefix(v, "ice-ufrag:"):
			f.ufrag = strings.TrimPrefix(v, "ice-ufrag:")
		case strings.HasPrefix(v, "ice-pwd:"):
			f.pwd = strings.TrimPrefix(v, "ice-pwd:")
		case strings.HasPrefix(v, "mid:"):
			f.mid = strings.TrimPrefix(v, "mid:")
		case strings.HasPrefix(v, "candidate:"):
			f.candidates = append(f.candidates, v)
		case v == "end-of-candidates":
			f.end = true
		}
	}
	return f
}

// replaceICECredentials swaps ice-ufrag/ice-pwd lines of an SDP and drops
// its old candidates.
func replaceICECredentials(sdpText, ufrag, pwd string) string {
	var b strings.Builder
	for line := range strings.Lines(sdpText) {
		t := strings.TrimRight(line, "\r\n")
		switch {
		case strings.HasPrefix(t, "a=ice-ufrag:"):
			b.WriteString("a=ice-ufrag:" + ufrag + "\r\n")
		case strings.HasPrefix(t, "a=ice-pwd:"):
			b.WriteString("a=ice-pwd:" + pwd + "\r\n")
		case strings.HasPrefix(t, "a=candidate:"), t == "a=end-of-candidates":
		default:
			b.WriteString(t + "\r\n")
		}
	}
	return b.String()
}

// answerFrag extracts the ICE lines of an answer as an sdpfrag.
func answerFrag(answer string) string {
	var b strings.Builder
	for line := range strings.Lines(answer) {
		t := strings.TrimRight(line, "\r\n")
		if strings.HasPrefix(t, "a=ice-ufrag:") || strings.HasPrefix(t, "a=ice-pwd:") ||
			strings.HasPrefix(t, "a=candidate:") || strings.HasPrefix(t, "m=") || strings.HasPrefix(t, "a=mid:") ||
			t == "a=end-of-candidates" {
			b.WriteString(t + "\r\n")
		}
	}
	return b.String()
}

func candidateInit(c, mid string) webrtc.ICECandidateInit {
	init := webrtc.ICECandidateInit{Candidate: c}
	if mid != "" {
		init.SDPMid = &mid
	}
	return init
}

// codecPreference is the TTS's codec list when it can speak only some codecs
// (ElevenLabs streams μ-law: PCMU), else nil (the offer's order).
func (s *Server) codecPreference() []Codec {
	if c, ok := s.providers.TTS.(interface{ Codecs() []Codec }); ok {
		return c.Codecs()
	}
	return nil
}
