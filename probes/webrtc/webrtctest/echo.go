// Package webrtctest provides a minimal WHIP echo answerer for tests of
// WebRTC probes and clients.
package webrtctest

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
)

// Server is a minimal WHIP answerer (RFC 9725) for tests: it answers
// offers with a pion peer connection on loopback and sends every RTP
// packet it receives straight back (or nothing, when Mute). It stands in
// for the media core's POST /whip where that is not what is under test.
type Server struct {
	// Trickle makes PATCH accept trickled candidates; otherwise PATCH
	// returns 405 (trickle not supported).
	Trickle bool
	// Mute stops the echo: the call connects but no audio comes back.
	Mute bool

	api      *webrtc.API
	token    string
	mu       sync.Mutex
	sessions map[string]*webrtc.PeerConnection
	next     int
	patches  atomic.Int32
	deletes  atomic.Int32
}

// Patches returns how many PATCH requests carried candidates.
func (s *Server) Patches() int { return int(s.patches.Load()) }

// Deletes returns how many sessions were hung up with DELETE.
func (s *Server) Deletes() int { return int(s.deletes.Load()) }

// New returns an answerer that requires "Authorization: Bearer token";
// its sessions are closed at test cleanup. Serve it with httptest at
// any path; the offer endpoint is POST /whip.
func New(t testing.TB, token string) *Server {
	m := &webrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	se := webrtc.SettingEngine{}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetInterfaceFilter(func(n string) bool { return n == "lo" })
	se.SetIncludeLoopbackCandidate(true)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	s := &Server{token: token, sessions: map[string]*webrtc.PeerConnection{},
		api: webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(se))}
	t.Cleanup(s.close)
	return s
}

// close ends every session.
func (s *Server) close() {
	s.mu.Lock()
	for id, pc := range s.sessions {
		_ = pc.Close()
		delete(s.sessions, id)
	}
	s.mu.Unlock()
}

// ServeHTTP serves POST /whip, PATCH and DELETE on session resources.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+s.token {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/whip":
		s.offer(w, r)
	case r.Method == http.MethodPatch:
		s.patch(w, r)
	case r.Method == http.MethodDelete:
		s.mu.Lock()
		pc, ok := s.sessions[r.URL.Path]
		delete(s.sessions, r.URL.Path)
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		_ = pc.Close()
		s.deletes.Add(1)
		w.WriteHeader(http.StatusOK)
	default:
		http.Error(w, "no", http.StatusMethodNotAllowed)
	}
}

func (s *Server) offer(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Content-Type") != "application/sdp" {
		http.Error(w, "want application/sdp", http.StatusUnsupportedMediaType)
		return
	}
	body, _ := io.ReadAll(r.Body)
	pc, err := s.api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: string(body)}); err != nil {
		_ = pc.Close()
		http.Error(w, err.Error(), 400)
		return
	}
	out, _ := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1}, "audio", "echo")
	if _, err := pc.AddTrack(out); err != nil {
		_ = pc.Close()
		http.Error(w, err.Error(), 500)
		return
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		for {
			pkt, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			if !s.Mute {
				_ = out.WriteRTP(pkt)
			}
		}
	})
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		_ = pc.Close()
		http.Error(w, err.Error(), 500)
		return
	}
	done := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(answer); err != nil {
		_ = pc.Close()
		http.Error(w, err.Error(), 500)
		return
	}
	<-done
	s.mu.Lock()
	s.next++
	id := fmt.Sprintf("/whip/session-%d", s.next)
	s.sessions[id] = pc
	s.mu.Unlock()
	w.Header().Set("Location", id)
	w.Header().Set("Content-Type", "application/sdp")
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, pc.LocalDescription().SDP)
}

func (s *Server) patch(w http.ResponseWriter, r *http.Request) {
	if !s.Trickle {
		http.Error(w, "no trickle", http.StatusMethodNotAllowed)
		return
	}
	if r.Header.Get("Content-Type") != "application/trickle-ice-sdpfrag" {
		http.Error(w, "bad type", http.StatusUnsupportedMediaType)
		return
	}
	s.mu.Lock()
	pc, ok := s.sessions[r.URL.Path]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	mid := ""
	for _, line := range strings.Split(string(body), "\r\n") {
		if v, ok := strings.CutPrefix(line, "a=mid:"); ok {
			mid = v
		}
		if v, ok := strings.CutPrefix(line, "a="); ok && strings.HasPrefix(v, "candidate:") {
			m := mid
			if err := pc.AddICECandidate(webrtc.ICECandidateInit{Candidate: v, SDPMid: &m}); err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
		}
	}
	s.patches.Add(1)
	w.WriteHeader(http.StatusNoContent)
}
