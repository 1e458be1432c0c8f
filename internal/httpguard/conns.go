package httpguard

import (
	"net"
	"net/netip"
	"sync"
)

// LimitListener returns ln with at most max open connections per client
// ([ClientKey] of the TCP peer: an IPv4 address, an IPv6 /64). A connection
// over the cap is closed as soon as it is accepted, before a byte is read,
// so one client cannot hold the server's connections open with idle
// keep-alives or slow bodies. Peers inside trusted (the load balancer in
// front) are never capped: behind an ALB every client arrives from it, and
// the per-client rate limit still applies to the X-Forwarded-For address.
// onReject, when not nil, is called for each connection closed over the
// cap. max <= 0 returns ln unchanged.
func LimitListener(ln net.Listener, max int, trusted []netip.Prefix, onReject func(client netip.Addr)) net.Listener {
	if max <= 0 {
		return ln
	}
	return &limitListener{Listener: ln, max: max, trusted: trusted, onReject: onReject, open: map[netip.Addr]int{}}
}

// ListenerFor is LimitListener with cfg's MaxConnsPerClient and trusted
// proxies; cfg must be valid.
func ListenerFor(ln net.Listener, cfg Config, onReject func(client netip.Addr)) (net.Listener, error) {
	cfg = cfg.WithDefaults()
	trusted, err := cfg.prefixes()
	if err != nil {
		return nil, err
	}
	return LimitListener(ln, cfg.MaxConnsPerClient, trusted, onReject), nil
}

type limitListener struct {
	net.Listener
	max      int
	trusted  []netip.Prefix
	onReject func(netip.Addr)

	mu   sync.Mutex
	open map[netip.Addr]int
}

// Accept returns the next connection within its client's cap, closing the
// ones over it.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		peer := ClientKey(peerOf(c))
		if !peer.IsValid() || isTrusted(peer, l.trusted) {
			return c, nil
		}
		l.mu.Lock()
		over := l.open[peer] >= l.max
		if !over {
			l.open[peer]++
		}
		l.mu.Unlock()
		if over {
			_ = c.Close()
			if l.onReject != nil {
				l.onReject(peer)
			}
			continue
		}
		return &countedConn{Conn: c, release: func() { l.release(peer) }}, nil
	}
}

func (l *limitListener) release(peer netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[peer]--; l.open[peer] <= 0 {
		delete(l.open, peer)
	}
}

// openConns returns the number of counted open connections of client.
func (l *limitListener) openConns(client netip.Addr) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open[ClientKey(client)]
}

func peerOf(c net.Conn) netip.Addr {
	if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return ta.AddrPort().Addr().Unmap()
	}
	return peerAddr(c.RemoteAddr().String())
}

// countedConn releases its slot once, on the first Close.
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// CloseWrite half-closes the connection when the underlying one can (TCP):
// net/http uses it to close gracefully after a "Connection: close"
// response, so the client reads the answer instead of a reset.
func (c *countedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
