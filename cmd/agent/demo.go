package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/voicewatch/voicewatch/internal/secret"
	"github.com/voicewatch/voicewatch/internal/turnserver"
	"github.com/voicewatch/voicewatch/voice"
)

const demoSynopsis = `Starts, in one process on loopback, with nothing to install or configure:
  - the media core with the echo bot (no auth: loopback only),
  - an embedded STUN/TURN server (pion/turn) the media core and the test page use,
  - a synthetic caller that places a short call every --call-interval so metrics move.
Open the printed test page URL and click Call. Ctrl-C stops everything cleanly.`

type demoFlags struct {
	listen, turnListen, storeDir string
	callInterval                 time.Duration
	calls                        int
	greeting                     bool
	logs                         logFlags
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo [flags]", demoSynopsis, stderr)
	var f demoFlags
	fs.StringVar(&f.listen, "listen", "127.0.0.1:8080", "media core address (test page, WHIP, /metrics); must be loopback")
	fs.StringVar(&f.turnListen, "turn-listen", "127.0.0.1:3478", "embedded STUN/TURN server address (UDP and TCP)")
	fs.StringVar(&f.storeDir, "store-dir", "", "where sessions are saved (default: a temporary directory removed on exit)")
	fs.DurationVar(&f.callInterval, "call-interval", 5*time.Second, "how often the synthetic caller places a call (0 disables it)")
	fs.IntVar(&f.calls, "calls", 0, "stop the synthetic caller after this many calls (0: until Ctrl-C)")
	fs.BoolVar(&f.greeting, "greeting", true, "play the greeting prompt when a call connects")
	f.logs.register(fs, "warn", "text")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %v", errUsage, fs.Args())
	}
	log, err := f.logs.logger(stderr)
	if err != nil {
		return err
	}
	if f.storeDir == "" {
		dir, err := os.MkdirTemp("", "voicewatch-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		f.storeDir = dir
	}

	// The TURN REST shared secret is random per run: it never leaves the
	// process, and the media core hands browsers short-lived credentials.
	var b [16]byte
	_, _ = rand.Read(b[:])
	turnSecret := hex.EncodeToString(b[:])
	ts, err := turnserver.Start(turnserver.Config{Listen: f.turnListen, Secret: turnSecret})
	if err != nil {
		return fmt.Errorf("embedded TURN server: %w (is --turn-listen %s free?)", err, f.turnListen)
	}
	defer ts.Close()
	turnAddr := ts.UDPAddr().String()

	cfg := voice.Default()
	cfg.Listen = f.listen
	cfg.Auth.InsecureNoAuth = true
	cfg.Store.Dir = f.storeDir
	cfg.Audio.Greeting = &f.greeting
	cfg.ICE.IncludeLoopback = true
	cfg.ICE.IPs = []string{"127.0.0.0/8"}
	cfg.ICE.Servers = []voice.ICEServer{{
		URLs:     []string{"stun:" + turnAddr, "turn:" + turnAddr + "?transport=udp", "turn:" + turnAddr + "?transport=tcp"},
		Username: "demo", Secret: secret.Secret(turnSecret),
	}}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("demo config: %w", err)
	}
	srv, err := voice.New(cfg, voice.WithLogger(log))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w (use --listen to pick another port)", cfg.Listen, err)
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, `voicewatch demo is running (Ctrl-C to stop)

  test page   %[1]s/
  WHIP        %[1]s/whip
  metrics     %[1]s/metrics
  STUN/TURN   stun:%[2]s  turn:%[2]s (udp, tcp; TURN REST credentials via OPTIONS /whip)
`, base, turnAddr)

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return srv.Serve(gctx, ln, nil) })
	if f.callInterval > 0 {
		g.Go(func() error {
			return runSyntheticCaller(gctx, syntheticCallerConfig{
				base: base, interval: f.callInterval, calls: f.calls, turnAddr: turnAddr, turnSecret: turnSecret, stdout: stdout, log: log,
			})
		})
	}
	err = g.Wait()
	fmt.Fprintln(stdout, "voicewatch demo stopped")
	return err
}
