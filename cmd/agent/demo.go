package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/voicewatch/voicewatch/exporter/sidecar"
	"github.com/voicewatch/voicewatch/internal/secret"
	"github.com/voicewatch/voicewatch/internal/turnserver"
	"github.com/voicewatch/voicewatch/voice"
)

const demoSynopsis = `Starts, in one process on loopback, with nothing to install or configure:
  - the media core with the echo bot (no auth: loopback only),
  - an embedded STUN/TURN server (pion/turn) the media core and the test page use,
  - the sidecar: it scrapes the media core, probes STUN, TURN and a WebRTC call,
    serves /metrics and a status page, and writes CloudWatch EMF lines to a file,
  - a synthetic caller that places a short call every --call-interval so metrics move.
Open the printed test page URL and click Call. Ctrl-C stops everything cleanly.`

type demoFlags struct {
	listen, turnListen, storeDir string
	sidecarListen, emfPath       string
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
	fs.StringVar(&f.sidecarListen, "sidecar-listen", sidecar.DefaultListen, "sidecar address (status page, /metrics, /probe); empty disables the sidecar")
	fs.StringVar(&f.emfPath, "emf-path", "", "where the sidecar writes CloudWatch EMF lines (default: a file in the store directory)")
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
	if f.sidecarListen != "" {
		if f.emfPath == "" {
			f.emfPath = filepath.Join(f.storeDir, "emf.log")
		}
		sc, sln, err := demoSidecar(base, turnAddr, turnSecret, f, log)
		if err != nil {
			ln.Close()
			return err
		}
		g.Go(func() error { return sc.Run(gctx, sln) })
		select {
		case <-sc.Started():
		case <-gctx.Done():
		}
		sbase := "http://" + sln.Addr().String()
		fmt.Fprintf(stdout, `  sidecar     %[1]s/  (probe status)
              %[1]s/metrics  (media core + probes + sidecar health)
              %[1]s/probe?module=stun&target=stun:%[2]s
  EMF         %[3]s  (CloudWatch Embedded Metric Format)
`, sbase, turnAddr, f.emfPath)
	}
	fmt.Fprintln(stdout)
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

// The demo's static CloudWatch dimensions: its EMF lines match the alarms
// and dashboard generated with --service voicewatch --environment demo.
const (
	demoService     = "voicewatch"
	demoEnvironment = "demo"
)

// demoSidecar configures the sidecar for the demo: scrape the media core,
// probe the embedded STUN/TURN server and a WebRTC call, EMF to a file.
func demoSidecar(base, turnAddr, turnSecret string, f demoFlags, log *slog.Logger) (*sidecar.Sidecar, net.Listener, error) {
	y := fmt.Sprintf(`listen: %q
scrape:
  interval: 5s
  targets:
    - {name: voice, url: %q, labels: {job: voice, service: voicewatch-demo}}
probes:
  interval: 15s
  suite:
    probes:
      - {name: stun, kind: stun, target: "stun:%[3]s", stun: {transports: [udp, tcp]}}
      - {name: turn, kind: turn, target: "turn:%[3]s?transport=udp", turn: {secret: "${VW_DEMO_TURN_SECRET}"}}
      - {name: call, kind: webrtc, target: %[4]q, webrtc: {loopback: true}}
modules:
  stun: {kind: stun, timeout: 5s, stun: {transports: [udp]}}
  webrtc: {kind: webrtc, timeout: 10s, webrtc: {loopback: true}}
cloudwatch:
  mode: emf
  emf_path: %[5]q
  static_dimensions: {Service: %[6]s, Environment: %[7]s}

export_interval: 10s
`, f.sidecarListen, base+"/metrics", turnAddr, base+"/whip", f.emfPath, demoService, demoEnvironment)
	cfg, err := sidecar.ParseConfig(strings.NewReader(y), sidecar.LoadOptions{Getenv: func(k string) (string, bool) {
		if k == "VW_DEMO_TURN_SECRET" {
			return turnSecret, true
		}
		return "", false
	}})
	if err != nil {
		return nil, nil, fmt.Errorf("demo sidecar config: %w", err)
	}
	sc, err := sidecar.New(cfg, sidecar.WithLogger(log))
	if err != nil {
		return nil, nil, err
	}
	sln, err := net.Listen("tcp", f.sidecarListen)
	if err != nil {
		return nil, nil, fmt.Errorf("listen %s: %w (use --sidecar-listen to pick another port)", f.sidecarListen, err)
	}
	return sc, sln, nil
}
