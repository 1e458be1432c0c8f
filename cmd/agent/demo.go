//go:build !sidecaronly

package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pion/transport/v5/stdnet"
	"golang.org/x/sync/errgroup"

	"github.com/voicewatch/voicewatch/exporter/sidecar"
	"github.com/voicewatch/voicewatch/internal/secret"
	"github.com/voicewatch/voicewatch/internal/turnserver"
	"github.com/voicewatch/voicewatch/voice"
)

const demoSynopsis = `demo [flags]

Starts, in one process on loopback, with nothing to install or configure:
  - the media core with the echo bot (no auth: loopback only),
  - an embedded STUN/TURN server (pion/turn) the media core and the test page use,
  - the sidecar: it scrapes the media core, probes STUN, TURN and a WebRTC call,
    serves /metrics and a status page, and writes CloudWatch EMF lines to a file,
  - a synthetic caller that places a short call every --call-interval so metrics move.
Open the printed test page URL and click Call. Ctrl-C stops everything cleanly.

--fault NAME makes it fail on purpose (see Faults below), so you can watch a
probe turn red, a dashboard panel move and, with --prometheus, a page arrive.
With --prometheus (needs the prometheus and alertmanager binaries) it also
starts Prometheus with the generated rules and Alertmanager with the generated
routes, every window divided by 60, and prints each page and ticket here.`

type demoFlags struct {
	listen, turnListen, storeDir string
	sidecarListen, emfPath       string
	callInterval                 time.Duration
	calls                        int
	greeting                     bool
	logs                         logFlags
	faults                       *faultSet
	prometheus                   bool
	probeInterval                time.Duration
}

func runDemo(ctx context.Context, args []string, std stdio) error {
	stdout, stderr := std.out, std.errOut
	fs := newFlagSet("demo", demoSynopsis, stdout)
	f := demoFlags{faults: newFaultSet()}
	fs.StringVar(&f.listen, "listen", "127.0.0.1:8080", "media core address (test page, WHIP, /metrics); must be loopback")
	fs.StringVar(&f.turnListen, "turn-listen", "127.0.0.1:3478", "embedded STUN/TURN server address (UDP and TCP); must be loopback")
	fs.StringVar(&f.storeDir, "store-dir", "", "where sessions are saved (default: a temporary directory removed on exit)")
	fs.StringVar(&f.sidecarListen, "sidecar-listen", sidecar.DefaultListen, "sidecar address (status page, /metrics, /probe); must be loopback; empty disables the sidecar")
	fs.StringVar(&f.emfPath, "emf-path", "", "where the sidecar writes CloudWatch EMF lines (default: a file in the store directory)")
	fs.DurationVar(&f.callInterval, "call-interval", 5*time.Second, "how often the synthetic caller places a call (0 disables it)")
	fs.IntVar(&f.calls, "calls", 0, "stop the synthetic caller after this many calls (0: until Ctrl-C)")
	fs.BoolVar(&f.greeting, "greeting", true, "play the greeting prompt when a call connects")
	fs.Var(f.faults, "fault", "inject the fault `NAME`: "+strings.Join(faultNames(), ", ")+" (repeatable; see Faults above)")
	fs.BoolVar(&f.prometheus, "prometheus", false, "also run Prometheus and Alertmanager with the generated rules at a 60x time scale, printing pages here")
	fs.DurationVar(&f.probeInterval, "probe-interval", 15*time.Second, "how often the sidecar probes STUN, TURN and a WebRTC call")
	f.logs.register(fs, "warn", "text")
	fs.synopsis += "\n" + faultUsage()
	if err := fs.parse(args, false); err != nil {
		return err
	}
	if err := checkDemoListen(f.listen); err != nil {
		return fs.usagef("%v", err)
	}
	if err := requireLoopback(map[string]string{"listen": f.listen, "turn-listen": f.turnListen, "sidecar-listen": f.sidecarListen}); err != nil {
		return err
	}
	if f.prometheus && f.sidecarListen == "" {
		return fs.usagef("--prometheus needs the sidecar: drop the empty --sidecar-listen")
	}
	if f.probeInterval <= 0 {
		return fs.usagef("--probe-interval must be positive")
	}
	log, err := f.logs.logger("demo", stderr)
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
	stunDead, turnDead := f.faults.flag(faultSTUNDead), f.faults.flag(faultTURNDead)
	ts, err := turnserver.Start(turnserver.Config{Listen: f.turnListen, Secret: turnSecret,
		WrapPacketConn: func(c net.PacketConn) net.PacketConn {
			return &faultPacketConn{PacketConn: c, stunDead: stunDead, turnDead: turnDead}
		},
		WrapListener: func(l net.Listener) net.Listener {
			return &faultListener{Listener: l, stunDead: stunDead, turnDead: turnDead}
		},
	})
	if err != nil {
		return fmt.Errorf("embedded TURN server: %w (is --turn-listen %s free?)", err, f.turnListen)
	}
	defer ts.Close()
	turnAddr := ts.UDPAddr().String()

	var cfg voice.Config
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
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("demo config: %w", err)
	}
	prompts, err := voice.NewPromptTTS()
	if err != nil {
		return err
	}
	snet, err := stdnet.NewNet()
	if err != nil {
		return err
	}
	srv, err := voice.New(cfg, voice.WithLogger(log),
		voice.WithNet(&udpBlockedNet{Net: snet, blocked: f.faults.flag(faultUDPBlocked)}),
		voice.WithProviders(voice.Providers{
			STT: faultSTT{STT: voice.EmbeddedSTT{}, on: f.faults.flag(faultSTTTimeouts)},
			TTS: faultTTS{TTS: prompts, on: f.faults.flag(faultTTSPolicy)},
		}))
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

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	// fail stops what already runs and returns err.
	fail := func(err error) error {
		cancel()
		_ = g.Wait()
		return err
	}
	g.Go(func() error { return serveDemo(gctx, srv, ln, f.faults, log) })
	g.Go(func() error { return runScannerFlood(gctx, ln.Addr().String(), f.faults.flag(faultScannerFlood)) })
	if f.sidecarListen != "" {
		if f.emfPath == "" {
			f.emfPath = filepath.Join(f.storeDir, "emf.log")
		}
		sc, sln, err := demoSidecar(base, turnAddr, turnSecret, f, log)
		if err != nil {
			return fail(err)
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
		if f.prometheus {
			ps, err := startPromStack(gctx, g, f.storeDir, ln.Addr().String(), sln.Addr().String(), stdout)
			if err != nil {
				return fail(err)
			}
			fmt.Fprintf(stdout, `  Prometheus  %s/alerts  (generated rules, windows divided by %d)
  Alertmanager %s  (generated routes; pages and tickets are printed below)
`, ps.promURL, demoTimeScale, ps.amURL)
		}
	}
	fmt.Fprintf(stdout, "  faults      %s/-/fault  (POST ?name=NAME toggles one; on now: %s)\n", base, orNone(f.faults.active()))
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
  interval: %[6]s
  suite:
    probes:
      - {name: stun, kind: stun, target: "stun:%[3]s", stun: {transports: [udp, tcp]}}
      - {name: turn, kind: turn, target: "turn:%[3]s?transport=udp", turn: {secret: "${VW_DEMO_TURN_SECRET}"}}
      - {name: call, kind: webrtc, target: %[4]q, webrtc: {loopback: true, greeting: interrupt}}
modules:
  stun: {kind: stun, timeout: 5s, stun: {transports: [udp]}}
  webrtc: {kind: webrtc, timeout: 10s, webrtc: {loopback: true, greeting: interrupt}}
cloudwatch:
  mode: emf
  emf_path: %[5]q
  static_dimensions: {Service: %[7]s, Environment: %[8]s}
export_interval: 10s
`, f.sidecarListen, base+"/metrics", turnAddr, base+"/whip", f.emfPath, f.probeInterval, demoService, demoEnvironment)
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

// checkDemoListen refuses a non-loopback --listen: the demo's media core
// takes no bearer token (it has no config file), so it must not be reachable
// from the network.
func checkDemoListen(listen string) error {
	if _, _, err := net.SplitHostPort(listen); err != nil {
		return fmt.Errorf("--listen %q: want host:port, e.g. 127.0.0.1:8080", listen)
	}
	if isLoopbackListen(listen) {
		return nil
	}
	return fmt.Errorf(`--listen %s: the demo runs without authentication, so it listens on loopback only.
To open it from another machine, forward the port instead:
    ssh -L 8080:127.0.0.1:8080 THIS_HOST      then browse http://127.0.0.1:8080/
(browsers allow the microphone on http://127.0.0.1 and http://localhost only).
To serve calls on the network, run 'agent voice --config voice.yaml' with auth.tokens
and TLS in front (see docs/deployment.md)`, listen)
}

// serveDemo serves the media core on ln with the demo's /-/fault switch in
// front, until ctx ends; then it drains the media core like voice.Serve.
func serveDemo(ctx context.Context, srv *voice.Server, ln net.Listener, faults *faultSet, log *slog.Logger) error {
	media := srv.Handler()
	// Not a ServeMux: it would clean and redirect "/../" paths before the
	// media core's guard sees (and counts) them as scanner traffic.
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/-/fault" && (r.Method == http.MethodGet || r.Method == http.MethodPost) {
			faults.ServeHTTP(w, r)
			return
		}
		media.ServeHTTP(w, r)
	})
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug)}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }() // owner: serveDemo; ends at Shutdown
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	srv.Close()
	_ = hs.Shutdown(sctx)
	if err == nil {
		err = <-errc
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}
