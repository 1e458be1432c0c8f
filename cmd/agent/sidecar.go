package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/prometheus/exporter-toolkit/web"

	"github.com/voicewatch/voicewatch/exporter/sidecar"
)

const sidecarSynopsis = `sidecar --config sidecar.yaml [flags]

Runs the observability sidecar: scrapes Prometheus targets, runs probe
suites on a schedule, derives metrics from logs, and publishes everything on
/metrics (and /probe for blackbox-style probing), to CloudWatch and OTLP.
SIGHUP reloads the configuration (targets, probes, modules, logs) without
losing buffered CloudWatch data; SIGTERM flushes within shutdown_grace.

A sidecar should cost its host little memory: unless GOGC is set in the
environment, the Go garbage collector runs at GOGC=50 (a heap goal 50 %
above the live heap, not Go's default 100 %). Scraping 10k series, that
is about 4 % less resident memory for about 7 % more CPU. Set GOGC=100 to
undo it, and GOMEMLIMIT to the container's memory limit in production.

Config keys (sidecar.yaml; strict: an unknown key is an error, ${VAR} is
expanded from the environment; annotated example: docs/examples/sidecar.yaml):
`

// sidecarGCPercent is the GOGC the sidecar runs at unless GOGC is set: at
// 10k scraped series, 50.4 instead of 52.7 MB RSS for about 7 % more CPU
// (docs/benchmarks.md, "Sidecar vs OpenTelemetry Collector").
const sidecarGCPercent = 50

// gcPercent returns the GOGC value to set for the sidecar, or false when
// the environment sets GOGC itself.
func gcPercent(getenv func(string) string) (int, bool) {
	if getenv("GOGC") != "" {
		return 0, false
	}
	return sidecarGCPercent, true
}

func runSidecar(ctx context.Context, args []string, std stdio) error {
	stdin, stdout, stderr := std.in, std.out, std.errOut
	fs := newFlagSet("sidecar", sidecarSynopsis+wrapKeys(configKeys(sidecar.Config{}), "  "), stdout)
	var (
		configPath, listen string
		webConfig          string
		check              bool
		lf                 logFlags
	)
	fs.StringVar(&configPath, "config", "", "sidecar configuration file (YAML; ${ENV} is expanded)")
	fs.StringVar(&listen, "listen", "", "HTTP address of /metrics, /probe and the status page (overrides listen: in the file; default "+sidecar.DefaultListen+")")
	fs.StringVar(&webConfig, "web.config.file", "", "exporter-toolkit web configuration (TLS, basic auth) for the listener, as blackbox_exporter's; see README.md#security")
	fs.BoolVar(&check, "check-config", false, "validate the configuration (probes and modules are built, nothing connects), print the CloudWatch metric count and monthly cost, and exit")
	lf.register(fs, "info", "json")
	if err := fs.parse(args, false); err != nil {
		return err
	}
	if configPath == "" {
		return fs.usagef("--config is required")
	}
	log, err := lf.logger("sidecar", stderr)
	if err != nil {
		return err
	}
	cfg, err := sidecar.LoadConfig(configPath, sidecar.LoadOptions{})
	if err != nil {
		return err
	}
	if err := web.Validate(webConfig); err != nil {
		return fmt.Errorf("--web.config.file %s: %w", webConfig, err)
	}
	if check {
		if err := cfg.CheckCloudWatch(stdout); err != nil {
			return fmt.Errorf("%s: %w", configPath, err)
		}
		fmt.Fprintf(stdout, "%s: OK (%d scrape targets, %d modules)\n", configPath, len(cfg.Scrape.Targets), len(cfg.Modules))
		return nil
	}
	if listen == "" {
		listen = cfg.Listen
	}
	if pct, ok := gcPercent(os.Getenv); ok {
		debug.SetGCPercent(pct)
	}
	if webConfig == "" && !isLoopbackListen(listen) {
		log.Warn("the sidecar listens beyond loopback without --web.config.file: /metrics and /probe are open to anyone who can reach it", "addr", listen)
	}
	sc, err := sidecar.New(cfg, sidecar.WithLogger(log), sidecar.WithStdin(stdin), sidecar.WithWebConfigFile(webConfig))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", listen, err)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	reloaded := make(chan struct{})
	go func() { // owner: runSidecar; exits when ctx ends
		defer close(reloaded)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				newCfg, err := sidecar.LoadConfig(configPath, sidecar.LoadOptions{})
				if err == nil {
					err = sc.Reload(ctx, newCfg)
				}
				if err != nil {
					log.Error("reload failed; keeping the running configuration", "err", err)
				}
			}
		}
	}()
	err = sc.Run(ctx, ln)
	cancel()
	<-reloaded
	return err
}
