// Package netns runs a test inside a fresh network namespace that has only
// a loopback interface, so browsers and ICE agents that multicast or probe
// the network can reach nothing but 127.0.0.1.
package netns

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

const envInside = "VOICEWATCH_IN_NETNS"

// Inside reports whether this process runs in the namespace Run made.
func Inside() bool { return os.Getenv(envInside) == "1" }

// Run re-executes the current test binary, running only test t, inside a new
// network namespace (unshare -n as root, unshare -rn otherwise) with lo up.
// It returns true when the caller is already inside and should run the test
// body; false after the re-executed run finished (its failure fails t).
// Without unshare or namespace support the test is skipped, or fails when
// CI=true.
func Run(t *testing.T) bool {
	t.Helper()
	if Inside() {
		return true
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		Missing(t, "unshare (util-linux)")
		return false
	}
	if _, err := exec.LookPath("ip"); err != nil {
		Missing(t, "ip (iproute2)")
		return false
	}
	flags := "-rn"
	if os.Geteuid() == 0 {
		flags = "-n"
	}
	if out, err := exec.Command(unshare, flags, "true").CombinedOutput(); err != nil {
		Missing(t, "network namespaces ("+strings.TrimSpace(string(out))+")")
		return false
	}
	args := []string{flags, "sh", "-c", `ip link set lo up && exec "$0" "$@"`, os.Args[0],
		"-test.run", "^" + t.Name() + "$", "-test.v", "-test.count=1"}
	cmd := exec.Command(unshare, args...)
	cmd.Env = append(os.Environ(), envInside+"=1")
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	// Stream the inner test's output as it comes, so a CI log shows where a
	// long test is, not everything at the end.
	streamed := make(chan struct{})
	go func() {
		defer close(streamed)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "=== RUN") || strings.HasPrefix(line, "PASS") || strings.HasPrefix(line, "ok ") {
				continue
			}
			t.Log(line)
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	err = cmd.Start()
	if err == nil {
		err = cmd.Wait()
	}
	_ = pw.Close()
	<-streamed
	if err != nil {
		t.Fatalf("test inside the network namespace failed: %v", err)
	}
	return false
}

// Missing skips t because a part it needs is absent, or fails it when
// CI=true: in CI a missing part is a broken set-up, never a pass.
func Missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required (CI=true): install it with 'make test-deps'", what)
	}
	t.Skipf("%s not available; 'make test-deps' installs it", what)
}
