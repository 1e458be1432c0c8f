package turn

import (
	"github.com/voicewatch/voicewatch/probes/probemetrics"

	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/pion/stun/v4"

	"github.com/voicewatch/voicewatch/probes"
)

// staleNonceServer is a TURN server on loopback that challenges an
// unauthenticated Allocate with 401 and answers every authenticated one
// with 438 Stale Nonce: a server whose nonces expire before a client can
// use them (a clock jump, a nonce lifetime set too short). It answers
// Binding requests, and counts the 438s it sent.
type staleNonceServer struct {
	conn  net.PacketConn
	wg    sync.WaitGroup
	mu    sync.Mutex
	stale int
}

func startStaleNonceServer(t *testing.T) *staleNonceServer {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &staleNonceServer{conn: conn}
	s.wg.Go(s.serve)
	t.Cleanup(func() {
		_ = conn.Close()
		s.wg.Wait()
	})
	return s
}

func (s *staleNonceServer) serve() {
	buf := make([]byte, 1500)
	for {
		n, from, err := s.conn.ReadFrom(buf)
		if err != nil {
			return // closed
		}
		req := &stun.Message{Raw: append([]byte(nil), buf[:n]...)}
		if req.Decode() != nil || req.Type.Class != stun.ClassRequest {
			continue
		}
		if res := s.answer(req, from); res != nil {
			_, _ = s.conn.WriteTo(res.Raw, from)
		}
	}
}

// answer builds the response to req, or nil to ignore it.
func (s *staleNonceServer) answer(req *stun.Message, from net.Addr) *stun.Message {
	ua := from.(*net.UDPAddr)
	switch req.Type.Method {
	case stun.MethodBinding:
		return stun.MustBuild(stun.NewTransactionIDSetter(req.TransactionID), stun.BindingSuccess,
			&stun.XORMappedAddress{IP: ua.IP, Port: ua.Port}, stun.Fingerprint)
	case stun.MethodAllocate:
		errType := stun.NewType(stun.MethodAllocate, stun.ClassErrorResponse)
		if !req.Contains(stun.AttrNonce) {
			return stun.MustBuild(stun.NewTransactionIDSetter(req.TransactionID), errType,
				stun.CodeUnauthorized, stun.NewRealm("voicewatch.test"), stun.NewNonce("first"), stun.Fingerprint)
		}
		s.mu.Lock()
		s.stale++
		s.mu.Unlock()
		return stun.MustBuild(stun.NewTransactionIDSetter(req.TransactionID), errType,
			stun.CodeStaleNonce, stun.NewRealm("voicewatch.test"), stun.NewNonce("again"), stun.Fingerprint)
	}
	return nil
}

func (s *staleNonceServer) staleSent() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stale
}

// TestStaleNonce: a TURN server that answers Allocate with 438 Stale Nonce
// even right after handing out a nonce fails the probe in allocate with
// reason stale_nonce, not bad_credentials, a timeout or "other": the
// operator's clue is the server's nonce handling, not the password.
func TestStaleNonce(t *testing.T) {
	srv := startStaleNonceServer(t)
	r := probeOnce(t, Config{Target: "turn:" + srv.conn.LocalAddr().String() + "?transport=udp", Username: "u", Password: "p"}, 3*time.Second)
	if r.Success || r.Failure == nil {
		t.Fatal("probe succeeded against a server that only answers 438")
	}
	if r.Failure.Reason != probes.ReasonStaleNonce || r.Failure.Phase != probemetrics.PhaseTURNAllocate {
		t.Fatalf("failure = %s in %s (%v), want stale_nonce in allocate", r.Failure.Reason, r.Failure.Phase, r.Failure.Err)
	}
	if srv.staleSent() == 0 {
		t.Error("the server sent no 438: the probe failed before an authenticated Allocate")
	}
	var te *stun.TurnError
	if errors.As(r.Failure.Err, &te) && te.ErrorCodeAttr.Code != stun.CodeStaleNonce {
		t.Errorf("error carries code %d, want 438", te.ErrorCodeAttr.Code)
	}
}
