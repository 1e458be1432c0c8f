package httpguard

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// keepAlive opens a connection to addr and completes one keep-alive request
// on it, or reports that the server closed it first.
func keepAlive(t *testing.T, addr string) (net.Conn, bool) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		c.Close()
		return nil, false
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		c.Close()
		return nil, false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return c, true
}

func TestLimitListenerCapsConnectionsPerClient(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trusted []netip.Prefix
		capped  bool
	}{
		{"untrusted client is capped", nil, true},
		{"trusted proxy is not capped", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			var rejected atomic.Int32
			lim := LimitListener(ln, 3, tc.trusted, func(netip.Addr) { rejected.Add(1) })
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
			srv.Listener = lim
			srv.Start()
			defer srv.Close()
			addr := ln.Addr().String()
			var open []net.Conn
			defer func() {
				for _, c := range open {
					c.Close()
				}
			}()
			for i := range 3 {
				c, ok := keepAlive(t, addr)
				if !ok {
					t.Fatalf("connection %d within the cap was refused", i+1)
				}
				open = append(open, c)
			}
			c, ok := keepAlive(t, addr)
			if ok {
				open = append(open, c)
			}
			if ok == tc.capped {
				t.Fatalf("4th connection served = %v, want %v", ok, !tc.capped)
			}
			if !tc.capped {
				return
			}
			if rejected.Load() != 1 {
				t.Errorf("onReject called %d times, want 1", rejected.Load())
			}
			// A closed connection frees its slot.
			open[0].Close()
			open = open[1:]
			deadline := time.Now().Add(10 * time.Second)
			for lim.(*limitListener).openConns(netip.MustParseAddr("127.0.0.1")) > 2 {
				if time.Now().After(deadline) {
					t.Fatal("the closed connection's slot was never released")
				}
				time.Sleep(5 * time.Millisecond)
			}
			c, ok = keepAlive(t, addr)
			if !ok {
				t.Fatal("a connection after one closed was refused")
			}
			open = append(open, c)
		})
	}
}

func TestClientKeyIPv6Slash64(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	l := newLimiter(1, 1, 100)
	if ok, _ := l.allow(netip.MustParseAddr("2001:db8:1:2::1"), t0); !ok {
		t.Fatal("first request refused")
	}
	// Another address in the same /64 is the same client.
	if ok, _ := l.allow(netip.MustParseAddr("2001:db8:1:2:ffff:ffff:ffff:fffe"), t0); ok {
		t.Fatal("a fresh address in the same /64 got a fresh bucket")
	}
	if ok, _ := l.allow(netip.MustParseAddr("2001:db8:1:3::1"), t0); !ok {
		t.Fatal("another /64 is limited by the first one's bucket")
	}
	if ok, _ := l.allow(netip.MustParseAddr("198.51.100.1"), t0); !ok {
		t.Fatal("IPv4 client refused")
	}
	if ok, _ := l.allow(netip.MustParseAddr("198.51.100.2"), t0); !ok {
		t.Fatal("IPv4 neighbours share a bucket")
	}
	if got := ClientKey(netip.MustParseAddr("::ffff:198.51.100.2")); got != netip.MustParseAddr("198.51.100.2") {
		t.Errorf("ClientKey(v4-mapped) = %v", got)
	}
}

func TestRateLimitedConnectionIsClosed(t *testing.T) {
	g := newGuard(t, Config{RatePerSecond: 0.001, Burst: 1}, nil)
	srv := httptest.NewServer(g.Wrap(echoClient))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	if resp, _ := rawRequest(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); resp.StatusCode != 200 {
		t.Fatalf("first request: %d", resp.StatusCode)
	}
	// The body is announced but never sent: the 429 must neither wait for
	// it nor keep the connection.
	resp, closed := rawRequest(t, addr, "POST /whip HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n")
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429", resp.StatusCode)
	}
	if !closed {
		t.Error("429 kept the connection open")
	}
}

func TestConfigTimeouts(t *testing.T) {
	var srv http.Server
	Config{ReadTimeout: 3 * time.Second}.ApplyTimeouts(&srv)
	if srv.ReadTimeout != 3*time.Second || srv.ReadHeaderTimeout != 3*time.Second ||
		srv.WriteTimeout != DefaultWriteTimeout || srv.IdleTimeout != DefaultIdleTimeout {
		t.Errorf("timeouts %v %v %v %v", srv.ReadTimeout, srv.ReadHeaderTimeout, srv.WriteTimeout, srv.IdleTimeout)
	}
	if err := (&Config{IdleTimeout: -1}).Validate(); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("negative idle_timeout: %v", err)
	}
}
