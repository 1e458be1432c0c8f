package e2e

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// udpRelay forwards UDP datagrams between clients and one upstream address
// (coturn's STUN port). Block makes it drop every datagram, like a firewall
// that closed the port: there is no iptables here, and pion's vnet cannot
// sit in front of a real process.
type udpRelay struct {
	addr     string
	upstream *net.UDPAddr
	conn     *net.UDPConn
	blocked  atomic.Bool

	mu    sync.Mutex
	peers map[string]*net.UDPConn
	wg    sync.WaitGroup
}

// startUDPRelay listens on a free loopback port; it closes when the test ends.
func startUDPRelay(t *testing.T, upstream string) *udpRelay {
	t.Helper()
	up, err := net.ResolveUDPAddr("udp4", upstream)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	r := &udpRelay{addr: c.LocalAddr().String(), upstream: up, conn: c, peers: map[string]*net.UDPConn{}}
	r.wg.Add(1)
	go r.serve() // owner: r; exits when close closes conn
	t.Cleanup(r.close)
	return r
}

// Block drops datagrams in both directions until Unblock.
func (r *udpRelay) Block()   { r.blocked.Store(true) }
func (r *udpRelay) Unblock() { r.blocked.Store(false) }

func (r *udpRelay) serve() {
	defer r.wg.Done()
	buf := make([]byte, 1500)
	for {
		n, from, err := r.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		if r.blocked.Load() {
			continue
		}
		up := r.peer(from)
		if up != nil {
			_, _ = up.Write(buf[:n])
		}
	}
}

// peer returns the upstream socket of one client, creating it and its
// reader on first use.
func (r *udpRelay) peer(from *net.UDPAddr) *net.UDPConn {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.peers == nil {
		return nil // closed
	}
	if c, ok := r.peers[from.String()]; ok {
		return c
	}
	c, err := net.DialUDP("udp4", nil, r.upstream)
	if err != nil {
		return nil
	}
	r.peers[from.String()] = c
	r.wg.Add(1)
	go func() { // owner: r; exits when close closes c
		defer r.wg.Done()
		buf := make([]byte, 1500)
		for {
			n, err := c.Read(buf)
			if err != nil {
				if errorsIsClosed(err) {
					return
				}
				continue // ICMP refused while coturn is down: keep relaying
			}
			if !r.blocked.Load() {
				_, _ = r.conn.WriteToUDP(buf[:n], from)
			}
		}
	}()
	return c
}

func (r *udpRelay) close() {
	_ = r.conn.Close()
	r.mu.Lock()
	for _, c := range r.peers {
		_ = c.Close()
	}
	r.peers = nil
	r.mu.Unlock()
	r.wg.Wait()
}
