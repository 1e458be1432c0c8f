package main

import (
	"context"
	"errors"
	"io"
	"os"
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
			var ue *usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--"+strings.TrimPrefix(args[0], "--")) {
				t.Fatalf("err = %v, want a usage error naming %s", err, args[0])
			}
		})
	}
}

// TestVoiceConfigErrorsRedacted: agent voice --check-config never prints a
// value expanded from the environment.
func TestVoiceConfigErrorsRedacted(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/voice.yaml"
	const secretValue = "whip-token-from-env-0123456789"
	t.Setenv("VW_TEST_WHIP_TOKEN", secretValue)
	_ = os.WriteFile(path, []byte("listen: \"${VW_TEST_WHIP_TOKEN}\"\nauth: {tokens: [\"${VW_TEST_WHIP_TOKEN}\"]}\n"), 0o600)
	var out, errOut strings.Builder
	err := run(context.Background(), []string{"voice", "--config", path, "--check-config"}, nil, &out, &errOut)
	if err == nil {
		t.Fatal("bad listen accepted")
	}
	code := exitCode(err, &errOut)
	if text := err.Error() + out.String() + errOut.String(); strings.Contains(text, secretValue) || code == 0 {
		t.Errorf("exit %d, output shows the token: %s", code, text)
	}
}
