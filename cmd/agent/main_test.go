package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// lockedBuffer is an io.Writer safe for the demo's concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestDemo runs `agent demo` on free loopback ports: it prints its URLs,
// the synthetic caller completes direct and relay-only calls, and
// cancelling (Ctrl-C) stops everything cleanly.
func TestDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--listen", "127.0.0.1:0", "--turn-listen", "127.0.0.1:0",
			"--sidecar-listen", "127.0.0.1:0", "--call-interval", "200ms", "--calls", "2", "--greeting=false"}, nil, &stdout, &stderr)
	}()
	deadline := time.After(30 * time.Second)
	for !strings.Contains(stdout.String(), "call 2 ") {
		select {
		case err := <-done:
			t.Fatalf("demo exited early: %v\n%s\n%s", err, stdout.String(), stderr.String())
		case <-deadline:
			t.Fatalf("no second call after 30s:\n%s\n%s", stdout.String(), stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	out := stdout.String()
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`test page\s+http://127\.0\.0\.1:\d+/`),
		regexp.MustCompile(`WHIP\s+http://127\.0\.0\.1:\d+/whip`),
		regexp.MustCompile(`metrics\s+http://127\.0\.0\.1:\d+/metrics`),
		regexp.MustCompile(`sidecar\s+http://127\.0\.0\.1:\d+/`),
		regexp.MustCompile(`EMF\s+\S+emf\.log`),
		regexp.MustCompile(`call 1 \(direct\): connected in \S+ via host/host`),
		regexp.MustCompile(`call 2 \(relay-only\): connected in \S+ via relay/`),
	} {
		if !want.MatchString(out) {
			t.Errorf("demo output lacks %s:\n%s", want, out)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("demo: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("demo did not stop after cancel")
	}
	if !strings.Contains(stdout.String(), "demo stopped") {
		t.Error("no clean-stop message")
	}
}

func TestVoiceCheckConfig(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "voice.yaml")
	_ = os.WriteFile(good, []byte("listen: 127.0.0.1:0\nauth:\n  tokens: [\"${TEST_TOKEN}\"]\n"), 0o600)
	t.Setenv("TEST_TOKEN", "abc-0123456789abcdef")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"voice", "--config", good, "--check-config"}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "config OK") {
		t.Errorf("output %q", out.String())
	}
	bad := filepath.Join(dir, "bad.yaml")
	_ = os.WriteFile(bad, []byte("listen: 0.0.0.0:8080\n"), 0o600)
	err := run(context.Background(), []string{"voice", "--config", bad, "--check-config"}, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "auth.tokens") {
		t.Fatalf("bad config: %v", err)
	}
	err = run(context.Background(), []string{"voice", "--config", bad, "--insecure-no-auth", "--check-config"}, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("--insecure-no-auth on 0.0.0.0: %v", err)
	}
}

// TestSidecarGCPercent: the sidecar lowers GOGC to 50 unless the
// environment chooses.
func TestSidecarGCPercent(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if pct, ok := gcPercent(getenv); !ok || pct != 50 {
		t.Errorf("GOGC unset: gcPercent = %d, %v; want 50, true", pct, ok)
	}
	env["GOGC"] = "100"
	if _, ok := gcPercent(getenv); ok {
		t.Error("GOGC=100 in the environment was overridden")
	}
}
