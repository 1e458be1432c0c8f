package voice

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
)

// FuzzOffer: an offer that parseOffer and checkOffer accept is one the
// PeerConnection accepts too (otherwise a session would exist and then
// fail: the SLO burn the validation is there to prevent), and neither
// panics on anything.
func FuzzOffer(f *testing.F) {
	offer := realOffer(f)
	f.Add(offer)
	for _, bad := range malformedOffers(offer) {
		f.Add(bad)
	}
	f.Add(withCandidates(offer, loopbackCandidates(30)))
	f.Add(videoOnlyOffer)
	f.Add(g722OnlyOffer)
	f.Add("v=0\r\n")
	cfg := loopbackConfig(f)
	cfg.ICE.MaxRemoteCandidates = 25
	s, err := New(cfg)
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	f.Fuzz(func(t *testing.T, raw string) {
		if _, err := parseOffer(raw, nil); err != nil {
			return
		}
		checked, n, err := checkOffer(raw, cfg.ICE)
		if err != nil {
			return
		}
		if n > cfg.ICE.MaxRemoteCandidates {
			t.Fatalf("checkOffer kept %d candidates, cap %d", n, cfg.ICE.MaxRemoteCandidates)
		}
		pc, err := s.api.NewPeerConnection(webrtc.Configuration{})
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close()
		if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio); err != nil {
			t.Fatal(err)
		}
		if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: checked}); err != nil {
			t.Fatalf("validated offer refused by the PeerConnection: %v\n%q", err, checked)
		}
	})
}

// FuzzPatch: whatever a PATCH carries, the handler answers 204, 200, 400
// or 429 with a JSON problem for errors, never a 5xx or a panic, and the
// session keeps at most ice.max_remote_candidates.
func FuzzPatch(f *testing.F) {
	cfg := loopbackConfig(f)
	cfg.ICE.MaxRemoteCandidates = 5
	cfg.ICE.MaxRestarts = 1000
	cfg.HTTP.RatePerSecond, cfg.HTTP.Burst = 1e9, 1e9 // every request comes from httptest's one address
	cfg.ICE.GatheringTimeout = 200 * time.Millisecond // bounds an ICE restart's answer
	s, err := New(cfg)
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	offer := realOffer(f)
	f.Add("a=mid:0\r\n" + loopbackCandidates(2))
	f.Add("a=mid:0\r\n" + loopbackCandidates(8))
	f.Add("a=mid:0\r\na=end-of-candidates\r\n")
	f.Add("a=ice-ufrag:" + strings.Repeat("u", 300) + "\r\na=ice-pwd:" + strings.Repeat("p", 24) + "\r\n")
	f.Add("a=ice-ufrag:abcd\r\na=ice-pwd:" + strings.Repeat("p", 22) + "\r\na=mid:0\r\n" + loopbackCandidates(1))
	f.Add("a=ice-ufrag:abcd\r\n")
	f.Add("a=candidate:1 1 udp 1 224.0.0.1 9 typ host\r\na=candidate:garbage\r\n")
	f.Add("a=candidate:\x00\x01\r\n")
	f.Add("")
	handler := s.Handler()
	newSession := func(t *testing.T) string {
		req := httptest.NewRequest(http.MethodPost, "/whip", strings.NewReader(offer))
		req.Header.Set("Content-Type", mimeSDP)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			t.Fatalf("POST: %d %s", rec.Code, rec.Body)
		}
		return rec.Header().Get("Location")
	}
	f.Fuzz(func(t *testing.T, frag string) {
		loc := newSession(t)
		defer func() {
			if sess, ok := s.lookup(strings.TrimPrefix(loc, "/whip/")); ok {
				sess.end(endHangup)
			}
		}()
		for range 2 { // twice: the second meets the first's counts
			req := httptest.NewRequest(http.MethodPatch, loc, strings.NewReader(frag))
			req.Header.Set("Content-Type", mimeSDPFrag)
			rec := httptest.NewRecorder()
			handler.ServeHTTP(rec, req)
			switch rec.Code {
			case http.StatusNoContent, http.StatusOK:
			case http.StatusBadRequest, http.StatusTooManyRequests:
				var doc problemDoc
				if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || doc.Status != rec.Code {
					t.Fatalf("problem is not JSON: %v %q", err, rec.Body)
				}
			default:
				t.Fatalf("PATCH %q: status %d %s", frag, rec.Code, rec.Body)
			}
		}
		if sess, ok := s.lookup(strings.TrimPrefix(loc, "/whip/")); ok {
			sess.budget.mu.Lock()
			n := sess.budget.candidates
			sess.budget.mu.Unlock()
			if n > cfg.ICE.MaxRemoteCandidates {
				t.Fatalf("session holds %d remote candidates, cap %d", n, cfg.ICE.MaxRemoteCandidates)
			}
		}
	})
}
