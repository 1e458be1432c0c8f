// Package mediacoretest starts a media core on loopback for the tests of
// other packages (the probes, the scraper, the providers): one helper
// instead of one per package. The media core's own tests use their
// in-package server helper, which can reach unexported state.
package mediacoretest

import (
	"context"
	"net"
	"testing"

	"github.com/voicewatch/voicewatch/internal/servetest"
	"github.com/voicewatch/voicewatch/voice"
)

// LoopbackConfig is a media core for tests: it listens on 127.0.0.1:0,
// gathers loopback candidates only, stores sessions in a temporary
// directory, plays no greeting and needs no token.
func LoopbackConfig(tb testing.TB) voice.Config {
	cfg := voice.Config{Listen: "127.0.0.1:0"}
	cfg.Auth.InsecureNoAuth = true
	cfg.ICE.IncludeLoopback = true
	cfg.ICE.Interfaces = []string{"lo"}
	cfg.Store.Dir = tb.TempDir()
	greeting := false
	cfg.Audio.Greeting = &greeting
	return cfg
}

// Start builds a media core from cfg and opts and serves it on a free
// loopback port until the test ends (a Serve error fails the test). It
// returns the server and its base URL, "http://127.0.0.1:PORT".
func Start(tb testing.TB, cfg voice.Config, opts ...voice.Option) (*voice.Server, string) {
	tb.Helper()
	srv, err := voice.New(cfg, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return srv, Serve(tb, srv)
}

// Serve serves srv on a free loopback port until the test ends and
// returns its base URL.
func Serve(tb testing.TB, srv *voice.Server) string {
	tb.Helper()
	s := servetest.Start(tb, func(ctx context.Context, ln net.Listener) error { return srv.Serve(ctx, ln, nil) })
	tb.Cleanup(func() { s.Check(tb, "media core") })
	return s.URL()
}
