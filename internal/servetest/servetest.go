// Package servetest runs a server's Serve or Run method on a loopback
// listener for the length of a test: the listener, the goroutine, the
// cancel and the wait that the tests of the media core, the sidecar and
// the OTLP seam would otherwise each write.
package servetest

import (
	"context"
	"net"
	"sync"
	"testing"
)

// Server is a serve function running on a loopback listener. Its methods
// are safe for concurrent use.
type Server struct {
	// Addr is the listener's address, e.g. 127.0.0.1:43123.
	Addr string

	cancel context.CancelFunc
	exited chan struct{}
	mu     sync.Mutex
	err    error // serve's error, until Stop returns it
}

// Start listens on a free 127.0.0.1 TCP port and serves it (Serve).
func Start(tb testing.TB, serve func(ctx context.Context, ln net.Listener) error) *Server {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	return Serve(tb, ln, serve)
}

// Serve runs serve(ctx, ln) in a goroutine until Stop cancels ctx: for a
// test that needs the listener's address before it builds the server. The
// end of the test stops it too, after the cleanups registered later (which
// may Stop or Check it themselves, to see serve's error).
func Serve(tb testing.TB, ln net.Listener, serve func(ctx context.Context, ln net.Listener) error) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{Addr: ln.Addr().String(), cancel: cancel, exited: make(chan struct{})}
	go func() { // owner: the test; exits when Stop cancels ctx
		defer close(s.exited)
		err := serve(ctx, ln)
		s.mu.Lock()
		s.err = err
		s.mu.Unlock()
	}()
	tb.Cleanup(func() { _ = s.Stop() })
	return s
}

// URL is the server's base URL, "http://" + Addr.
func (s *Server) URL() string { return "http://" + s.Addr }

// Exited is closed when serve has returned, on its own or after Stop.
func (s *Server) Exited() <-chan struct{} { return s.exited }

// Stop cancels serve's context and waits for serve to return. The first
// call returns serve's error; later calls return nil, so that the error is
// seen once, by the test or by its cleanup.
func (s *Server) Stop() error {
	s.cancel()
	<-s.exited
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.err
	s.err = nil
	return err
}

// Check stops the server and fails the test (tb.Errorf, "what: error")
// if serve returned an error: for a test, or its cleanup, where serve
// must end cleanly.
func (s *Server) Check(tb testing.TB, what string) {
	tb.Helper()
	if err := s.Stop(); err != nil {
		tb.Errorf("%s: %v", what, err)
	}
}
