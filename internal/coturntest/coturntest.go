// Package coturntest runs the Debian coturn server (/usr/bin/turnserver) on
// free loopback ports for tests: long-term credentials or a TURN REST shared
// secret, UDP and TCP listeners (and TLS when a certificate is given), and
// an option to allow loopback peers. Start waits until the server answers a
// STUN Binding request and stops it when the test ends.
//
// When turnserver is not installed the test is skipped, unless the
// environment has CI=true: then it fails, so CI never silently skips.
package coturntest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pion/stun/v4"
)

// Binary is the coturn server binary.
const Binary = "/usr/bin/turnserver"

// Options configures the server. The zero value is a long-term-credential
// server with one user (DefaultUser / DefaultPassword) that forbids loopback
// peers.
type Options struct {
	// Realm is the authentication realm. Default: "voicewatch.test".
	Realm string
	// Users are long-term credential users (name → password). Default: one
	// user DefaultUser with DefaultPassword, unless Secret is set.
	Users map[string]string
	// Secret enables TURN REST credentials (use-auth-secret with this
	// static-auth-secret) instead of Users.
	Secret string
	// AllowLoopbackPeers lets relays send to 127.0.0.0/8 (coturn forbids it
	// by default: CreatePermission then fails with 403).
	AllowLoopbackPeers bool
	// CertFile and KeyFile (PEM) enable a TLS listener on TLSAddr.
	CertFile, KeyFile string
	// UserQuota limits concurrent allocations per user (0: unlimited).
	UserQuota int
	// RelayPorts is the size of the relay port range. Default: 100 (use
	// more for load tests: coturn answers 508 when the range is used up).
	RelayPorts int
	// ExtraArgs are appended to the command line.
	ExtraArgs []string
}

// Default credentials when Options.Users and Options.Secret are empty.
const (
	DefaultUser     = "probe"
	DefaultPassword = "probe-password"
	DefaultRealm    = "voicewatch.test"
)

// Server is a running coturn.
type Server struct {
	// Addr is the UDP and TCP listener, "127.0.0.1:PORT".
	Addr string
	// TLSAddr is the TLS listener ("" without a certificate).
	TLSAddr string
	// Realm, Users and Secret are the effective credentials.
	Realm  string
	Users  map[string]string
	Secret string
	// MinPort and MaxPort bound the relay ports.
	MinPort, MaxPort int

	cmd *exec.Cmd
	log *syncBuffer
}

// STUNURI returns "stun:ADDR".
func (s *Server) STUNURI() string { return "stun:" + s.Addr }

// TURNURI returns "turn:ADDR?transport=T" for udp or tcp, and
// "turns:TLSADDR?transport=tcp" for tls.
func (s *Server) TURNURI(transport string) string {
	if transport == "tls" {
		return "turns:" + s.TLSAddr + "?transport=tcp"
	}
	return "turn:" + s.Addr + "?transport=" + transport
}

// Log returns what the server logged so far.
func (s *Server) Log() string { return s.log.String() }

// Start runs coturn for the duration of t.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if _, err := os.Stat(Binary); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("coturntest: %s is required in CI (apt-get install coturn): %v", Binary, err)
		}
		t.Skipf("coturntest: %s not installed (apt-get install coturn)", Binary)
	}
	s := &Server{Realm: opts.Realm, Users: opts.Users, Secret: opts.Secret, log: &syncBuffer{}}
	if s.Realm == "" {
		s.Realm = DefaultRealm
	}
	if s.Secret == "" && len(s.Users) == 0 {
		s.Users = map[string]string{DefaultUser: DefaultPassword}
	}
	dir := t.TempDir()
	port := FreePort(t)
	s.Addr = "127.0.0.1:" + strconv.Itoa(port)
	if opts.RelayPorts <= 0 {
		opts.RelayPorts = 100
	}
	// Relay ports stay below Linux's ephemeral range (32768+), where the
	// tests' own client sockets live.
	s.MinPort = 10000 + rand.IntN(max(22000/opts.RelayPorts, 1))*opts.RelayPorts
	s.MaxPort = s.MinPort + opts.RelayPorts - 1
	args := []string{
		"-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1",
		"--listening-port=" + strconv.Itoa(port),
		"--realm=" + s.Realm, "--no-dtls", "--no-cli", "--fingerprint",
		"--min-port=" + strconv.Itoa(s.MinPort), "--max-port=" + strconv.Itoa(s.MaxPort),
		"--userdb=" + filepath.Join(dir, "db"), "--pidfile=" + filepath.Join(dir, "pid"),
		"--log-file=stdout", "--simple-log",
	}
	if s.Secret != "" {
		args = append(args, "--use-auth-secret", "--static-auth-secret="+s.Secret)
	} else {
		args = append(args, "--lt-cred-mech")
		for u, p := range s.Users {
			args = append(args, "--user="+u+":"+p)
		}
	}
	if opts.AllowLoopbackPeers {
		args = append(args, "--allow-loopback-peers")
	}
	if opts.CertFile != "" {
		tlsPort := FreePort(t)
		s.TLSAddr = "127.0.0.1:" + strconv.Itoa(tlsPort)
		args = append(args, "--cert="+opts.CertFile, "--pkey="+opts.KeyFile, "--tls-listening-port="+strconv.Itoa(tlsPort))
	} else {
		args = append(args, "--no-tls")
	}
	if opts.UserQuota > 0 {
		args = append(args, "--user-quota="+strconv.Itoa(opts.UserQuota))
	}
	args = append(args, opts.ExtraArgs...)
	s.cmd = exec.Command(Binary, args...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("coturntest: start: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- s.cmd.Wait() }()
	t.Cleanup(func() { s.stop(t, exited) })
	if err := waitReady(s.Addr, exited, 10*time.Second); err != nil {
		t.Fatalf("coturntest: %v\n--- coturn log ---\n%s", err, s.Log())
	}
	return s
}

func (s *Server) stop(t testing.TB, exited <-chan error) {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-exited
	}
	if t.Failed() {
		t.Logf("--- coturn log (%s) ---\n%s", s.Addr, s.Log())
	}
}

// waitReady polls with STUN Binding requests until one is answered, the
// process exits, or the deadline passes.
func waitReady(addr string, exited <-chan error, within time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if err := Binding(addr, 100*time.Millisecond); err == nil {
			return nil
		}
		select {
		case err := <-exited:
			return fmt.Errorf("turnserver exited before answering: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("turnserver on %s did not answer a STUN binding within %s", addr, within)
		case <-tick.C:
		}
	}
}

// Binding sends one raw STUN Binding request over UDP to addr and waits
// up to timeout for the success response. It is the baseline the STUN
// probe is benchmarked against.
func Binding(addr string, timeout time.Duration) error {
	c, err := net.Dial("udp4", addr)
	if err != nil {
		return err
	}
	defer func() { _ = c.Close() }()
	req := stun.MustBuild(stun.TransactionID, stun.BindingRequest)
	if _, err := c.Write(req.Raw); err != nil {
		return err
	}
	_ = c.SetReadDeadline(time.Now().Add(timeout))
	buf := make([]byte, 1500)
	n, err := c.Read(buf)
	if err != nil {
		return err
	}
	res := &stun.Message{Raw: buf[:n]}
	if err := res.Decode(); err != nil {
		return err
	}
	if res.TransactionID != req.TransactionID || res.Type != stun.BindingSuccess {
		return errors.New("unexpected STUN response")
	}
	return nil
}

// FreePort returns a port free on 127.0.0.1 for both UDP and TCP at the
// time of the call: for a server told which port to listen on (coturn, the
// e2e stacks' processes), or for "closed port" tests.
func FreePort(t testing.TB) int {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("coturntest: %v", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp4", l.Addr().String())
		_ = l.Close()
		if err == nil {
			_ = u.Close()
			return port
		}
	}
	t.Fatalf("coturntest: no free port")
	return 0
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p (io.Writer).
func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written.
func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
