package voice

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/pion/webrtc/v4"

	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// Bounds on what a session keeps for ICE generations that are not applied
// yet (trickled before their restart PATCH arrived) or were replaced.
const (
	maxHeldCandidates = 64 // candidates held for generations not applied yet
	maxHeldUfrags     = 2  // generations held at once
	maxPastUfrags     = 8  // replaced generations remembered (their late candidates are dropped)
)

// iceSession is the ICE state WHIP PATCH works on (RFC 9725 §4.3). Every
// field is guarded by patchMu, which also serialises the PATCH requests of
// one session: a trickle PATCH that arrives while an ICE restart gathers
// waits for the restart instead of racing it into the PeerConnection.
type iceSession struct {
	patchMu sync.Mutex

	// etag is the entity tag of the current ICE session: sent on the 201
	// and on each restart answer; a trickle PATCH with another If-Match
	// gets 412.
	etag string
	// remoteOffer is the latest remote SDP, the base for ICE restarts;
	// remoteUfrag is its ICE username fragment (the applied generation).
	remoteOffer string
	remoteUfrag string
	// lastAnswer is the sdpfrag answered to the last restart, sent again
	// when the client retries that restart (its response got lost).
	lastAnswer string
	// past are remote ufrags of replaced generations.
	past []string
	// held are candidates of generations not applied yet, by ufrag: a
	// client trickles its new candidates as soon as it gathers them, and
	// they may arrive before the restart PATCH that announces them.
	held      map[string][]string
	heldOrder []string
	heldN     int
}

func newETag() string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	return `"` + hex.EncodeToString(b[:]) + `"`
}

// ifMatchAny reports whether an If-Match field value is "*".
func ifMatchAny(v string) bool { return strings.TrimSpace(v) == "*" }

// etagMatches is the strong comparison of RFC 9110 §13.1.1: one of the
// listed entity tags equals current (weak tags never match).
func etagMatches(ifMatch, current string) bool {
	for tag := range strings.SplitSeq(ifMatch, ",") {
		if strings.TrimSpace(tag) == current {
			return true
		}
	}
	return false
}

// handlePatch is PATCH /whip/{id} (RFC 9725 §4.3):
//
//   - If-Match: "*" with a new ice-ufrag/ice-pwd is an ICE restart, answered
//     200 with the server's new credentials and candidates and a new ETag;
//   - anything else is trickle ICE: with If-Match, it must be the current
//     ETag (else 412); candidates of the applied generation go to ICE now,
//     candidates of a generation whose restart has not arrived yet are held
//     until it does, candidates of replaced generations are dropped; 204.
//
// PATCHes of one session run one at a time.
func (s *Server) handlePatch(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.authorizedSessionOf(w, r)
	if !ok {
		return
	}
	body, status, err := readBody(w, r, mimeSDPFrag)
	if err != nil {
		refuse(w, status, err.Error())
		return
	}
	frag := parseFrag(body)
	ifMatch := r.Header.Get("If-Match")

	st := &sess.ice
	st.patchMu.Lock()
	defer st.patchMu.Unlock()
	if sess.ctx.Err() != nil { // ended while this PATCH waited for the previous one
		problem(w, http.StatusNotFound, "the session ended")
		return
	}
	// Candidates that must not be contacted are dropped, and the session's
	// PATCH and candidate budgets enforced (candidates.go).
	if err := sess.budget.admitPatch(&frag, ifMatchAny(ifMatch), s.cfg.ICE); err != nil {
		problem(w, patchStatus(err), err.Error())
		return
	}
	switch {
	case ifMatchAny(ifMatch):
		s.restartICE(w, r, sess, frag)
	case ifMatch != "" && !etagMatches(ifMatch, st.etag):
		problem(w, http.StatusPreconditionFailed, "If-Match does not name the current ICE session: an ICE restart replaced it; trickle with the ETag of the last restart answer, or without If-Match")
	default:
		if err := s.trickle(sess, frag); err != nil {
			problem(w, http.StatusBadRequest, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// trickle adds, holds or drops each candidate of a trickle PATCH by the
// generation it belongs to: its own "ufrag" extension attribute when it
// has one (RFC 8838 §5.1 lets a fragment race a restart), else the
// fragment's ice-ufrag. The caller holds patchMu.
func (s *Server) trickle(sess *session, frag sdpFrag) error {
	st := &sess.ice
	for _, c := range frag.candidates {
		ufrag := candidateUfrag(c)
		if ufrag == "" {
			ufrag = frag.ufrag
		}
		switch {
		case ufrag == "" || ufrag == st.remoteUfrag:
			if err := sess.pc.AddICECandidate(candidateInit(c, frag.mid)); err != nil {
				return fmt.Errorf("bad candidate %q: %w", c, err)
			}
		case slices.Contains(st.past, ufrag):
			sess.log.Debug("late candidate of a replaced ICE generation dropped")
		default:
			st.hold(ufrag, []string{c})
		}
	}
	return nil
}

// candidateUfrag returns the value of a candidate line's "ufrag" extension
// attribute, or "".
func candidateUfrag(c string) string {
	f := strings.Fields(c)
	for i := 8; i+1 < len(f); i += 2 { // extensions follow "typ <type>" and the related address
		if f[i] == "ufrag" {
			return f[i+1]
		}
	}
	return ""
}

// hold keeps candidates of a generation not applied yet, within bounds:
// beyond them the oldest generation and then the newest candidates go.
func (st *iceSession) hold(ufrag string, cands []string) {
	if st.held == nil {
		st.held = map[string][]string{}
	}
	if _, ok := st.held[ufrag]; !ok {
		if len(st.heldOrder) == maxHeldUfrags {
			oldest := st.heldOrder[0]
			st.heldN -= len(st.held[oldest])
			delete(st.held, oldest)
			st.heldOrder = st.heldOrder[1:]
		}
		st.heldOrder = append(st.heldOrder, ufrag)
		st.held[ufrag] = nil
	}
	room := max(maxHeldCandidates-st.heldN, 0)
	cands = cands[:min(len(cands), room)]
	st.held[ufrag] = append(st.held[ufrag], cands...)
	st.heldN += len(cands)
}

// takeHeld returns and forgets the candidates held for ufrag.
func (st *iceSession) takeHeld(ufrag string) []string {
	c, ok := st.held[ufrag]
	if !ok {
		return nil
	}
	delete(st.held, ufrag)
	st.heldN -= len(c)
	for i, u := range st.heldOrder {
		if u == ufrag {
			st.heldOrder = append(st.heldOrder[:i], st.heldOrder[i+1:]...)
			break
		}
	}
	return c
}

// restartICE applies a client ICE restart (RFC 9725 §4.3.2): it
// renegotiates with the stored offer under the new credentials, feeds ICE
// the new generation's candidates (from this PATCH and those held from
// earlier trickle PATCHes), and answers with the server's new credentials,
// candidates and ETag. A retried restart (the credentials already applied)
// gets the same answer again and is not counted. The caller holds patchMu.
func (s *Server) restartICE(w http.ResponseWriter, r *http.Request, sess *session, frag sdpFrag) {
	st := &sess.ice
	if frag.ufrag == "" || frag.pwd == "" {
		problem(w, http.StatusBadRequest, `an ICE restart (If-Match: "*") needs a=ice-ufrag and a=ice-pwd lines with the new credentials`)
		return
	}
	if frag.ufrag == st.remoteUfrag {
		if st.lastAnswer == "" { // "restarting" into the generation the offer made
			problem(w, http.StatusBadRequest, "an ICE restart needs new ICE credentials; these are the current ones")
			return
		}
		writeRestartAnswer(w, st.etag, st.lastAnswer)
		return
	}
	sess.mu.Lock()
	sess.restarts++
	n := sess.restarts
	sess.mu.Unlock()
	if n > s.cfg.ICE.MaxRestarts {
		s.metrics.restarts.WithLabelValues(voicemetrics.RestartExhausted).Inc()
		sess.events.emit(slog.LevelWarn, EventICERestart, "result", voicemetrics.RestartExhausted, "restarts", n)
		problem(w, http.StatusTooManyRequests, fmt.Sprintf("ICE restarts exhausted (%d allowed); end the session and call again", s.cfg.ICE.MaxRestarts))
		sess.end(endRestarts)
		return
	}
	fail := func(err error) {
		s.metrics.restarts.WithLabelValues(voicemetrics.RestartFailed).Inc()
		sess.events.emit(slog.LevelWarn, EventICERestart, "result", voicemetrics.RestartFailed, "error", err.Error())
		problem(w, http.StatusBadRequest, "ICE restart failed: "+err.Error())
	}
	offer := replaceICECredentials(st.remoteOffer, frag.ufrag, frag.pwd)
	if err := sess.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		fail(err)
		return
	}
	// The new generation is applied: from here its candidates go to ICE.
	st.past = append(st.past, st.remoteUfrag)
	if len(st.past) > maxPastUfrags {
		st.past = st.past[1:]
	}
	st.remoteOffer, st.remoteUfrag = offer, frag.ufrag
	cands := append(frag.candidates, st.takeHeld(frag.ufrag)...)
	for _, c := range cands {
		if err := sess.pc.AddICECandidate(candidateInit(c, frag.mid)); err != nil {
			sess.log.Debug("restart candidate rejected", "error", err)
		}
	}
	answer, err := s.answer(r.Context(), sess)
	if err != nil {
		fail(err)
		return
	}
	st.etag, st.lastAnswer = newETag(), answerFrag(answer)
	s.metrics.restarts.WithLabelValues(voicemetrics.RestartSucceeded).Inc()
	sess.events.emit(slog.LevelInfo, EventICERestart, "result", voicemetrics.RestartSucceeded, "restarts", n,
		"held_candidates", len(cands)-len(frag.candidates))
	sess.save()
	writeRestartAnswer(w, st.etag, st.lastAnswer)
}

func writeRestartAnswer(w http.ResponseWriter, etag, frag string) {
	w.Header().Set("Content-Type", mimeSDPFrag)
	w.Header().Set("ETag", etag)
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, frag)
}
