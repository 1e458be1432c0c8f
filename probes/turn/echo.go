package turn

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/pion/stun/v4"

	"github.com/voicewatch/voicewatch/probes"
)

// startPeer opens the echo peer's UDP socket, learns the address the relay
// must send to, and starts the echo loop (owned by the session, ended by
// closing the socket in close).
func (s *session) startPeer(r *probes.Result) (net.Addr, error) {
	p := s.p
	peer, err := p.net.ListenPacket("udp4", "0.0.0.0:0")
	if err != nil {
		return nil, fmt.Errorf("echo peer: %w", err)
	}
	s.peer = peer
	var addr net.Addr
	switch {
	case p.cfg.PeerAddress != "":
		ua, err := p.net.ResolveUDPAddr("udp4", p.cfg.PeerAddress)
		if err != nil {
			return nil, fmt.Errorf("peer_address: %w", err)
		}
		addr = ua
		r.SetDetail("peer_address_source", "config")
	default:
		addr, err = s.peerReflexive(r)
		if err != nil {
			return nil, err
		}
	}
	s.peerWG.Go(func() { echoLoop(peer) })
	return addr, nil
}

// peerReflexive finds the address the relay must send to for the peer
// socket. Over UDP and TCP it asks the TURN server's port over UDP, as a
// plain STUN server (this also works behind NAT). Over TLS, or if that gets
// no answer within a short budget (UDP blocked), it falls back to the IP
// the server saw in the Allocate response (or the local IP routing to the
// server) with the peer's local port, which is right when there is no NAT;
// set peer_address otherwise.
func (s *session) peerReflexive(r *probes.Result) (net.Addr, error) {
	p := s.p
	server, err := p.net.ResolveUDPAddr("udp4", p.addr)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", p.addr, err)
	}
	if p.transport() != "tls" {
		budget := time.Second
		if dl, ok := s.ctx.Deadline(); ok {
			budget = min(budget, time.Until(dl)/4)
		}
		ctx, cancel := context.WithTimeout(s.ctx, budget)
		a, err := binding(ctx, s.peer, server)
		cancel()
		if err == nil {
			r.SetDetail("peer_address_source", "binding")
			return a, nil
		}
		if s.ctx.Err() != nil {
			return nil, fmt.Errorf("peer binding: %w", s.ctx.Err())
		}
	}
	port := s.peer.LocalAddr().(*net.UDPAddr).Port
	if m := s.obs.mapped.Load(); m != nil {
		r.SetDetail("peer_address_source", "allocate_mapped_ip")
		return &net.UDPAddr{IP: m.IP, Port: port}, nil
	}
	c, err := p.net.DialUDP("udp4", nil, server)
	if err != nil {
		return nil, fmt.Errorf("peer address: %w", err)
	}
	defer func() { _ = c.Close() }()
	r.SetDetail("peer_address_source", "local_route")
	return &net.UDPAddr{IP: c.LocalAddr().(*net.UDPAddr).IP, Port: port}, nil
}

// binding runs a STUN Binding transaction on conn, retransmitting every
// 200ms until ctx ends.
func binding(ctx context.Context, conn net.PacketConn, server net.Addr) (net.Addr, error) {
	req := stun.MustBuild(stun.TransactionID, stun.BindingRequest, stun.Fingerprint)
	buf := make([]byte, 1500)
	for ctx.Err() == nil {
		if _, err := conn.WriteTo(req.Raw, server); err != nil {
			return nil, err
		}
		wait := time.Now().Add(200 * time.Millisecond)
		if dl, ok := ctx.Deadline(); ok && dl.Before(wait) {
			wait = dl
		}
		_ = conn.SetReadDeadline(wait)
		for {
			n, _, err := conn.ReadFrom(buf)
			if err != nil {
				break
			}
			res := &stun.Message{Raw: append([]byte(nil), buf[:n]...)}
			if res.Decode() != nil || res.TransactionID != req.TransactionID {
				continue
			}
			var xor stun.XORMappedAddress
			if err := xor.GetFrom(res); err != nil {
				return nil, err
			}
			_ = conn.SetReadDeadline(time.Time{})
			return &net.UDPAddr{IP: xor.IP, Port: xor.Port}, nil
		}
	}
	_ = conn.SetReadDeadline(time.Time{})
	return nil, ctx.Err()
}

// echoLoop sends every datagram back to where it came from until conn is
// closed.
func echoLoop(conn net.PacketConn) {
	buf := make([]byte, 1500)
	for {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			return
		}
		_, _ = conn.WriteTo(buf[:n], from)
	}
}

// echo sends EchoCount packets through the relay to the peer and waits for
// each to come back; it returns the smallest round-trip time.
func (s *session) echo(peer net.Addr) (time.Duration, error) {
	stop := context.AfterFunc(s.ctx, func() { _ = s.relay.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	if dl, ok := s.ctx.Deadline(); ok {
		_ = s.relay.SetReadDeadline(dl)
	}
	best := time.Duration(0)
	buf := make([]byte, 1500)
	for i := range s.p.cfg.EchoCount {
		payload := make([]byte, 64)
		_, _ = rand.Read(payload)
		sent := time.Now()
		if _, err := s.relay.WriteTo(payload, peer); err != nil {
			return 0, fmt.Errorf("send through relay: %w", err)
		}
		for {
			n, from, err := s.relay.ReadFrom(buf)
			if err != nil {
				return 0, fmt.Errorf("echo %d/%d through relay: %w", i+1, s.p.cfg.EchoCount, err)
			}
			if from.String() != peer.String() {
				continue
			}
			if !bytes.Equal(buf[:n], payload) {
				// A late echo of an earlier packet; wait for ours.
				continue
			}
			break
		}
		if rtt := time.Since(sent); best == 0 || rtt < best {
			best = rtt
		}
	}
	_ = s.relay.SetReadDeadline(time.Time{})
	return best, nil
}

// refresh sends a Refresh request (RFC 8656 §7) for lifetime; lifetime 0
// deletes the allocation. It picks up the nonce from a 401/438 challenge
// and retries once more per challenge.
func (s *session) refresh(lifetime time.Duration) error {
	secs := uint32(lifetime / time.Second)
	lt := stun.RawAttribute{Type: stun.AttrLifetime, Value: []byte{byte(secs >> 24), byte(secs >> 16), byte(secs >> 8), byte(secs)}}
	realm := s.client.Realm()
	user := stun.NewUsername(s.user)
	integrity := stun.NewLongTermIntegrity(s.user, realm.String(), s.pass)
	for range 3 {
		setters := []stun.Setter{stun.TransactionID, stun.NewType(stun.MethodRefresh, stun.ClassRequest), lt}
		if len(s.nonce) > 0 {
			setters = append(setters, user, realm, s.nonce, integrity)
		}
		// Without a nonce yet, ask unauthenticated: the 401 brings one.
		// (pion drops unauthenticated answers to authenticated requests.)
		setters = append(setters, stun.Fingerprint)
		msg, err := stun.Build(setters...)
		if err != nil {
			return err
		}
		res, err := s.client.PerformTransactionWithContext(msg, s.client.TURNServerAddr(), false, s.ctx)
		if err != nil {
			return err
		}
		if res.Msg.Type.Class != stun.ClassErrorResponse {
			return nil
		}
		var code stun.ErrorCodeAttribute
		if err := code.GetFrom(res.Msg); err != nil {
			return fmt.Errorf("error response without ERROR-CODE: %w", err)
		}
		var nonce stun.Nonce
		if (code.Code == stun.CodeUnauthorized || code.Code == stun.CodeStaleNonce) && nonce.GetFrom(res.Msg) == nil {
			s.nonce = append(stun.Nonce(nil), nonce...)
			continue
		}
		return &stun.TurnError{StunMessageType: res.Msg.Type, ErrorCodeAttr: code}
	}
	return errors.New("refresh: server keeps challenging")
}

// isRetransmitTimeout recognises pion's "all retransmissions failed".
func isRetransmitTimeout(err error) bool {
	return strings.Contains(err.Error(), "all retransmissions failed") ||
		strings.Contains(err.Error(), "transaction closed")
}
