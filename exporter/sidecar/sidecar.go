package sidecar

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/exporter-toolkit/web"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/voicewatch/voicewatch/exporter/cardinality"
	"github.com/voicewatch/voicewatch/exporter/cloudwatch"
	"github.com/voicewatch/voicewatch/exporter/scrape"
	"github.com/voicewatch/voicewatch/internal/tick"
	"github.com/voicewatch/voicewatch/probes"
)

// Sidecar is the assembled sidecar. Create it with New, serve and run it
// with Run (once), swap its sources with Reload.
type Sidecar struct {
	cfg        Config
	base       *slog.Logger // as given, for components that add their own name
	log        *slog.Logger
	now        func() time.Time
	stdin      io.Reader
	probeEnv   probes.Env
	cwOpts     []cloudwatch.Option
	scrapeOpts []scrape.Option
	jitter     tick.Jitter

	own      *prometheus.Registry // build info, cardinality drops, CloudWatch health
	hub      *cardinality.Limiter // everything published, cardinality-limited
	cw       cloudwatch.Exporter  // nil without a cloudwatch section
	failures *failureLog

	probeSlots chan struct{} // GET /probe runs in flight
	webConfig  string        // exporter-toolkit web config file (TLS, basic auth)
	timeouts   serverTimeouts

	gen     atomic.Pointer[generation]
	mp      atomic.Pointer[sdkmetric.MeterProvider] // set while Run runs
	running atomic.Bool
	ready   atomic.Bool
	reloads chan reloadRequest
	started chan struct{} // closed when Run is serving
	runDone chan struct{}
}

type reloadRequest struct {
	gen  *generation
	done chan struct{}
}

// New validates cfg (after applying defaults to its zero fields) and builds
// the sidecar; nothing runs and nothing listens until Run.
func New(cfg Config, opts ...Option) (*Sidecar, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Sidecar{
		cfg:      cfg,
		log:      slog.New(slog.DiscardHandler),
		now:      time.Now,
		jitter:   tick.Random,
		timeouts: defaultServerTimeouts,
		own:      prometheus.NewRegistry(),
		reloads:  make(chan reloadRequest),
		started:  make(chan struct{}),
		runDone:  make(chan struct{}),
	}
	for _, o := range opts {
		o(s)
	}
	s.base = s.log
	s.log = s.log.With("component", "sidecar")
	s.failures = &failureLog{now: s.now, max: cfg.RecentFailures}
	s.probeSlots = make(chan struct{}, cfg.MaxConcurrentProbes)
	if err := web.Validate(s.webConfig); err != nil {
		return nil, fmt.Errorf("%w: web config %s: %w", ErrInvalidConfig, s.webConfig, err)
	}
	s.hub = cardinality.New(cfg.Cardinality, prometheus.Gatherers{s.own, gathererFunc(s.gatherCurrent)})
	if err := s.own.Register(s.hub); err != nil {
		return nil, fmt.Errorf("sidecar: register cardinality limiter: %w", err)
	}
	if err := s.own.Register(newBuildInfo()); err != nil {
		return nil, fmt.Errorf("sidecar: register build info: %w", err)
	}
	// The sidecar's own runtime: a soak or an SRE watches its memory and
	// goroutines here.
	for _, c := range []prometheus.Collector{collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		if err := s.own.Register(c); err != nil {
			return nil, fmt.Errorf("sidecar: register runtime collectors: %w", err)
		}
	}
	g, err := s.newGeneration(cfg)
	if err != nil {
		return nil, err
	}
	s.gen.Store(g)
	return s, nil
}

// Gatherer returns the cardinality-limited hub: everything /metrics serves and the push
// pipeline exports.
func (s *Sidecar) Gatherer() prometheus.Gatherer { return s.hub }

type gathererFunc func() ([]*dto.MetricFamily, error)

func (s *Sidecar) gatherCurrent() ([]*dto.MetricFamily, error) { return s.gen.Load().Gather() }

// Run serves HTTP on ln, runs scrapes, probes and log tailing, and pushes
// to the configured sinks until ctx ends. Then it stops the sources, exports
// a last collection and flushes the CloudWatch buffer within
// Config.ShutdownGrace, and closes the listener. Run may be called once.
func (s *Sidecar) Run(ctx context.Context, ln net.Listener) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("sidecar: Run called twice")
	}
	defer close(s.runDone)
	mp, err := s.newPush(context.WithoutCancel(ctx))
	if err != nil {
		_ = ln.Close()
		return err
	}
	if mp != nil {
		s.mp.Store(mp)
	}
	t := s.timeouts
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: t.readHeader,
		ReadTimeout: t.read, WriteTimeout: t.write, IdleTimeout: t.idle,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)}
	errc := make(chan error, 1)
	// exporter-toolkit serves TLS and basic auth from --web.config.file,
	// as blackbox_exporter and node_exporter do; without one, plain HTTP.
	webConfig := s.webConfig
	flags := &web.FlagConfig{WebConfigFile: &webConfig, WebListenAddresses: &[]string{ln.Addr().String()}}
	go func() { errc <- web.Serve(ln, srv, flags, s.log.With("component", "web")) }()

	s.gen.Load().start(ctx, s.log)
	s.ready.Store(true)
	close(s.started)
	s.log.Info("sidecar running", "addr", ln.Addr().String())
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err = <-errc:
			break loop
		case req := <-s.reloads:
			req.gen.start(ctx, s.log)
			old := s.gen.Swap(req.gen)
			old.stop()
			close(req.done)
		}
	}
	s.ready.Store(false)
	s.gen.Load().stop()

	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownGrace)
	defer cancel()
	if mp != nil {
		start := time.Now()
		if serr := mp.Shutdown(shutCtx); serr != nil {
			s.log.Error("final export incomplete", "err", serr)
		} else {
			s.log.Info("final export flushed", "took", time.Since(start))
		}
	}
	if serr := srv.Shutdown(shutCtx); serr != nil {
		_ = srv.Close()
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("sidecar: serve: %w", err)
	}
	return nil
}

// serverTimeouts bound what one client can hold of the listener: the
// request headers, the whole request, one response (/probe runs within the
// scraper's timeout, at most a minute in practice) and an idle keep-alive
// connection.
type serverTimeouts struct{ readHeader, read, write, idle time.Duration }

var defaultServerTimeouts = serverTimeouts{readHeader: 10 * time.Second, read: 15 * time.Second, write: 2 * time.Minute, idle: 60 * time.Second}

// withServerTimeouts replaces the listener's timeouts (tests).
func withServerTimeouts(t serverTimeouts) Option { return func(s *Sidecar) { s.timeouts = t } }

// Started is closed once Run serves HTTP and runs its sources and sinks.
func (s *Sidecar) Started() <-chan struct{} { return s.started }

// Reload validates cfg and swaps scrape targets, probes, modules and log
// sources; the push pipeline (and the CloudWatch buffer) is kept, so changes
// to cloudwatch, otlp, export_interval, shutdown_grace, cardinality and
// listen are logged and ignored until restart. It returns when the new
// sources run and the old ones have stopped. Run must be running.
func (s *Sidecar) Reload(ctx context.Context, cfg Config) error {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return err
	}
	if !s.running.Load() {
		return ErrNotRunning
	}
	g, err := s.newGeneration(cfg)
	if err != nil {
		return err
	}
	for name, same := range map[string]bool{
		"cloudwatch":            reflect.DeepEqual(cfg.CloudWatch, s.cfg.CloudWatch),
		"otlp":                  reflect.DeepEqual(cfg.OTLP, s.cfg.OTLP),
		"export_interval":       cfg.ExportInterval == s.cfg.ExportInterval,
		"shutdown_grace":        cfg.ShutdownGrace == s.cfg.ShutdownGrace,
		"cardinality":           cfg.Cardinality == s.cfg.Cardinality,
		"listen":                cfg.Listen == s.cfg.Listen,
		"max_concurrent_probes": cfg.MaxConcurrentProbes == s.cfg.MaxConcurrentProbes,
	} {
		if !same {
			s.log.Warn("setting changed; it takes effect after a restart", "setting", name)
		}
	}
	req := reloadRequest{gen: g, done: make(chan struct{})}
	select {
	case s.reloads <- req:
	case <-s.runDone:
		return ErrNotRunning
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-req.done:
	case <-s.runDone:
	}
	s.log.Info("configuration reloaded", "targets", len(cfg.Scrape.Targets), "probes", len(g.sched.specs), "modules", len(cfg.Modules))
	return nil
}

// Flush collects the hub now and exports it to every sink (CloudWatch:
// including what is buffered), within ctx. Without sinks it does nothing.
func (s *Sidecar) Flush(ctx context.Context) error {
	mp := s.mp.Load()
	if mp == nil {
		return nil
	}
	return mp.ForceFlush(ctx)
}

// Gather implements prometheus.Gatherer.
func (f gathererFunc) Gather() ([]*dto.MetricFamily, error) { return f() }
