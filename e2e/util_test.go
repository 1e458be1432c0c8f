package e2e

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"
)

func errorsIsClosed(err error) bool { return errors.Is(err, net.ErrClosed) }

// freePort returns a loopback port free for TCP and UDP a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp4", l.Addr().String())
		_ = l.Close()
		if err == nil {
			_ = u.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}

func addr(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }

// eventually polls cond every 100ms until it holds or within passes; it
// returns how long it took.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if cond() {
			return time.Since(start)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: not within %s", what, within)
		case <-tick.C:
		}
	}
}

// eventuallyOr is eventually without failing: it returns -1 on timeout.
func eventuallyOr(within time.Duration, cond func() bool) time.Duration {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		if cond() {
			return time.Since(start)
		}
		select {
		case <-ctx.Done():
			return -1
		case <-tick.C:
		}
	}
}
