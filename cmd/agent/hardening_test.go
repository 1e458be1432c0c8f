package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// TestDemoRequiresLoopback: every listener of the demo (no auth, a TURN
// server that relays to loopback) must bind loopback.
func TestDemoRequiresLoopback(t *testing.T) {
	for _, args := range [][]string{
		{"--listen", "0.0.0.0:0"},
		{"--turn-listen", "0.0.0.0:0"},
		{"--sidecar-listen", "0.0.0.0:0"},
		{"--sidecar-listen", ":0"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			all := append([]string{"demo", "--listen", "127.0.0.1:0", "--turn-listen", "127.0.0.1:0", "--sidecar-listen", "127.0.0.1:0", "--call-interval", "0"}, args...)
			err := run(ctx, all, nil, io.Discard, io.Discard)
			if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "--"+strings.TrimPrefix(args[0], "--")) {
				t.Fatalf("err = %v, want a usage error naming %s", err, args[0])
			}
		})
	}
}
