package httpguard

import (
	"context"
	"net/netip"
	"strings"
)

// ClientIP returns the real client address of a request that arrived from
// peer with the X-Forwarded-For value xff (comma-separated, as in the
// header; several header lines may be joined with ",").
//
// If peer is not inside one of the trusted prefixes, xff is ignored
// entirely: anyone can send the header, so believing it from an untrusted
// peer would let a client pick its own rate-limit bucket and log identity.
// Otherwise the list is walked from the right, skipping addresses of
// trusted proxies; the first untrusted address is the client. An entry that
// does not parse stops the walk, and the last trusted hop is returned. If
// every entry is trusted, the leftmost is returned. IPv4-mapped IPv6
// addresses are unmapped. ClientIP does not allocate.
func ClientIP(peer netip.Addr, xff string, trusted []netip.Prefix) netip.Addr {
	peer = peer.Unmap()
	if !isTrusted(peer, trusted) {
		return peer
	}
	client, _ := walkXFF(peer, xff, trusted)
	return client
}

// clientIPFromValues is ClientIP over the values of repeated
// X-Forwarded-For header lines, the last line being the rightmost.
func clientIPFromValues(peer netip.Addr, xffs []string, trusted []netip.Prefix) netip.Addr {
	peer = peer.Unmap()
	if !isTrusted(peer, trusted) {
		return peer
	}
	client := peer
	for i := len(xffs) - 1; i >= 0; i-- {
		var more bool
		client, more = walkXFF(client, xffs[i], trusted)
		if !more {
			break
		}
	}
	return client
}

// walkXFF walks one X-Forwarded-For value from the right, starting from the
// trusted hop cur. more reports that every entry was trusted, so the walk
// may continue into an earlier header line.
func walkXFF(cur netip.Addr, xff string, trusted []netip.Prefix) (client netip.Addr, more bool) {
	for xff != "" {
		entry := xff
		if i := strings.LastIndexByte(xff, ','); i >= 0 {
			entry, xff = xff[i+1:], xff[:i]
		} else {
			xff = ""
		}
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		a, ok := parseHop(entry)
		if !ok {
			return cur, false
		}
		if !isTrusted(a, trusted) {
			return a, false
		}
		cur = a
	}
	return cur, true
}

// parseHop parses an X-Forwarded-For entry: an address, optionally with a
// port ("192.0.2.1:4711", "[2001:db8::1]:4711").
func parseHop(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peerAddr parses http.Request.RemoteAddr ("ip:port"); it returns the zero
// Addr for anything else (e.g. a Unix socket).
func peerAddr(remote string) netip.Addr {
	if ap, err := netip.ParseAddrPort(remote); err == nil {
		return ap.Addr().Unmap()
	}
	if a, err := netip.ParseAddr(remote); err == nil {
		return a.Unmap()
	}
	return netip.Addr{}
}

type clientIPKey struct{}

// ClientIPFrom returns the client address that the Guard resolved for the
// request whose context is ctx; ok is false outside a guarded request.
func ClientIPFrom(ctx context.Context) (netip.Addr, bool) {
	a, ok := ctx.Value(clientIPKey{}).(netip.Addr)
	return a, ok
}

// NewContext returns a copy of ctx carrying client as the resolved client
// address, for tests of handlers that sit behind a Guard.
func NewContext(ctx context.Context, client netip.Addr) context.Context {
	return context.WithValue(ctx, clientIPKey{}, client)
}
