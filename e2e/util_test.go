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

func addr(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }

// eventually polls cond every 100ms until it holds or within passes; it
// returns how long it took.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	d := poll(within, 100*time.Millisecond, cond)
	if d < 0 {
		t.Fatalf("%s: not within %s", what, within)
	}
	return d
}

// eventuallyOr is eventually without failing (polling every 200ms): it
// returns -1 on timeout.
func eventuallyOr(within time.Duration, cond func() bool) time.Duration {
	return poll(within, 200*time.Millisecond, cond)
}

// poll calls cond at once and then every interval until it holds, and
// returns how long that took, or -1 when within passes first.
func poll(within, interval time.Duration, cond func() bool) time.Duration {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	tick := time.NewTicker(interval)
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
