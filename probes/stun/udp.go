package stun

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/voicewatch/voicewatch/probes"
)

// udp runs one Binding transaction over a connected UDP socket (connected
// so that ICMP port unreachable surfaces as ECONNREFUSED). Retransmissions
// follow RFC 8489 §6.2.1: requests at 0, RTO, 3·RTO, 7·RTO, ... (Rc of
// them), then a final wait of Rm·RTO; ctx's deadline cuts this short.
func (p *Prober) udp(ctx context.Context) (b binding) {
	start := time.Now()
	defer func() { b.elapsed = time.Since(start) }()
	fail := func(err error) binding {
		b.err, b.reason = err, probes.Classify(err)
		return b
	}
	network := udpNetwork(p.addr)
	raddr, err := p.net.ResolveUDPAddr(network, p.addr)
	if err != nil {
		return fail(fmt.Errorf("resolve: %w", err))
	}
	conn, err := p.net.DialUDP(network, nil, raddr)
	if err != nil {
		return fail(fmt.Errorf("dial: %w", err))
	}
	defer func() { _ = conn.Close() }()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()

	req, err := p.request()
	if err != nil {
		return fail(err)
	}
	buf := make([]byte, 1500)
	var first, next, giveUp time.Time
	interval := p.cfg.RTO
	sent := 0
	for {
		now := time.Now()
		if sent < p.cfg.Rc && !now.Before(next) {
			if _, err := conn.Write(req.Raw); err != nil {
				return fail(fmt.Errorf("send: %w", err))
			}
			if sent == 0 {
				first = now
			}
			sent++
			if sent == p.cfg.Rc {
				giveUp = now.Add(time.Duration(p.cfg.Rm) * p.cfg.RTO)
			} else {
				next = now.Add(interval)
				interval *= 2
			}
		}
		wait := next
		if sent == p.cfg.Rc {
			wait = giveUp
		}
		if err := ctx.Err(); err != nil {
			return p.timedOut(b, err)
		}
		if dl, ok := ctx.Deadline(); ok && dl.Before(wait) {
			wait = dl
		}
		_ = conn.SetReadDeadline(wait)
		n, err := conn.Read(buf)
		if err != nil {
			var ne net.Error
			if !errors.Is(err, os.ErrDeadlineExceeded) && !(errors.As(err, &ne) && ne.Timeout()) {
				return fail(fmt.Errorf("receive: %w", err))
			}
			if ctx.Err() != nil {
				return p.timedOut(b, ctx.Err())
			}
			if sent == p.cfg.Rc && !time.Now().Before(giveUp) {
				return p.timedOut(b, fmt.Errorf("%w after %d requests", ErrNoResponse, sent))
			}
			continue
		}
		if parse(buf[:n], req, &b) {
			b.rtt = time.Since(first)
			b.rtx = sent - 1
			return b
		}
	}
}

// timedOut reports a timeout, or the protocol error seen before it: a
// server that only ever answered garbage is misconfigured, not slow.
func (p *Prober) timedOut(b binding, cause error) binding {
	if b.err != nil && b.reason == probes.ReasonProtocol {
		return b
	}
	b.err, b.reason = fmt.Errorf("%w: %w", probes.ErrTimeout, cause), probes.ReasonTimeout
	return b
}

// udpNetwork is "udp6" for an IPv6 literal host (stun:[::1]:3478) and
// "udp4" otherwise (names resolve to IPv4, as pion's vnet supports).
func udpNetwork(hostport string) string {
	if host, _, err := net.SplitHostPort(hostport); err == nil && strings.Contains(host, ":") {
		return "udp6"
	}
	return "udp4"
}
