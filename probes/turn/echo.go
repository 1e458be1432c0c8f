package turn

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync/atomic"
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

// echoPayload is the size of an echo packet: one 20 ms PCMU frame with
// its RTP header, as a call would send through the relay.
const echoPayload = 172

// echo sends EchoCount packets through the relay to the peer, EchoInterval
// apart, while reading the echoes; it waits EchoWait after the last send
// for stragglers. It measures what coturn's turnutils_uclient does: loss,
// mean and 95th percentile round-trip time, and jitter (the mean absolute
// difference of successive round-trip times). It fails only when no echo
// comes back at all.
func (s *session) echo(peer net.Addr) (probes.MediaQuality, error) {
	cfg := s.p.cfg
	n := cfg.EchoCount
	var nonce [8]byte
	_, _ = rand.Read(nonce[:])
	sent := make([]atomic.Int64, n) // UnixNano of each send
	rtts := make([]time.Duration, n)
	got := make([]bool, n)
	var received int
	allBack := make(chan struct{})
	readDone := make(chan error, 1)
	stop := context.AfterFunc(s.ctx, func() { _ = s.relay.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	_ = s.relay.SetReadDeadline(time.Time{})
	go func() { // owned by echo: it waits on readDone
		buf := make([]byte, 1500)
		for {
			m, from, err := s.relay.ReadFrom(buf)
			if err != nil {
				readDone <- err
				return
			}
			at := time.Now()
			if from.String() != peer.String() || m != echoPayload || !bytes.Equal(buf[:8], nonce[:]) {
				continue
			}
			seq := int(binary.BigEndian.Uint32(buf[8:12]))
			if seq >= n || got[seq] || sent[seq].Load() == 0 {
				continue
			}
			got[seq] = true
			rtts[seq] = at.Sub(time.Unix(0, sent[seq].Load()))
			if received++; received == n {
				close(allBack)
			}
		}
	}()
	payload := make([]byte, echoPayload)
	copy(payload, nonce[:])
	tick := time.NewTicker(cfg.EchoInterval)
	defer tick.Stop()
	var sendErr error
	for i := range n {
		binary.BigEndian.PutUint32(payload[8:12], uint32(i))
		sent[i].Store(time.Now().UnixNano())
		if _, err := s.relay.WriteTo(payload, peer); err != nil {
			sendErr = fmt.Errorf("send through relay: %w", err)
			break
		}
		if i == n-1 {
			break
		}
		select {
		case <-s.ctx.Done():
		case <-tick.C:
		}
		if s.ctx.Err() != nil {
			break
		}
	}
	wait := time.NewTimer(cfg.EchoWait)
	defer wait.Stop()
	select {
	case <-allBack:
	case <-wait.C:
	case <-s.ctx.Done():
	}
	_ = s.relay.SetReadDeadline(time.Unix(1, 0)) // end the reader
	<-readDone
	_ = s.relay.SetReadDeadline(time.Time{})
	if sendErr != nil {
		return probes.MediaQuality{}, sendErr
	}
	q := echoStats(rtts, got)
	if q.Received == 0 {
		if err := s.ctx.Err(); err != nil {
			return q, fmt.Errorf("no echo of %d came back through the relay: %w", n, err)
		}
		return q, fmt.Errorf("no echo of %d came back through the relay within %s: %w", n, cfg.EchoWait, ErrNoEcho)
	}
	return q, nil
}

// echoStats summarises the round-trip times of the echoes that came back
// (got[i]) in send order.
func echoStats(rtts []time.Duration, got []bool) probes.MediaQuality {
	q := probes.MediaQuality{Sent: int64(len(rtts))}
	var back []time.Duration
	var sum, dev time.Duration
	for i, ok := range got {
		if !ok {
			continue
		}
		if len(back) > 0 {
			dev += (rtts[i] - back[len(back)-1]).Abs()
		}
		back = append(back, rtts[i])
		sum += rtts[i]
	}
	q.Received = int64(len(back))
	if q.Sent > 0 {
		q.Loss = float64(q.Sent-q.Received) / float64(q.Sent)
	}
	if len(back) == 0 {
		return q
	}
	q.RTT = sum / time.Duration(len(back))
	if len(back) > 1 {
		q.Jitter = dev / time.Duration(len(back)-1)
	}
	slices.Sort(back)
	q.RTTMin = back[0]
	q.RTTP95 = back[max(0, (95*len(back)+99)/100-1)] // nearest rank
	return q
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
