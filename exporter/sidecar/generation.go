package sidecar

import (
	"errors"

	"context"
	"fmt"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/voicewatch/voicewatch/exporter/logs"
	"github.com/voicewatch/voicewatch/exporter/scrape"
)

// generation is everything Reload swaps: scrape targets, scheduled probes,
// modules and log sources, with the registry of their metrics.
type generation struct {
	cfg     Config
	scraper *scraperHandle
	sched   *scheduler
	logs    *logs.Pipeline // nil without a logs section
	reg     *prometheus.Registry

	cancel context.CancelFunc
	done   chan struct{}
}

// scraperHandle is the part of *scrape.Scraper the sidecar uses.
type scraperHandle = scrape.Scraper

func (s *Sidecar) newGeneration(cfg Config) (*generation, error) {
	sc, err := scrape.New(cfg.Scrape, append([]scrape.Option{scrape.WithLogger(s.base)}, s.scrapeOpts...)...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	specs, err := cfg.buildSpecs(s.probeEnv)
	if err != nil {
		return nil, err
	}
	g := &generation{cfg: cfg, scraper: sc, reg: prometheus.NewRegistry()}
	g.sched = newScheduler(s.base.With("component", "probes"), specs, cfg.Probes, s.jitter, s.failures.add)
	if cfg.Logs != nil {
		// The log pipeline's label-value overflows are counted in the hub
		// cardinality limiter's voicewatch_series_dropped_total: one family, one meaning.
		lopts := []logs.Option{logs.WithLogger(s.base.With("component", "logs")), logs.WithLabelOverflow(s.hub.CountDropped)}
		if s.stdin != nil {
			lopts = append(lopts, logs.WithStdin(s.stdin))
		}
		p, err := logs.New(*cfg.Logs, lopts...)
		if err != nil {
			return nil, fmt.Errorf("%w: logs: %w", ErrInvalidConfig, err)
		}
		g.logs = p
	}
	cs := []prometheus.Collector{sc, g.sched}
	if g.logs != nil {
		cs = append(cs, g.logs)
	}
	for _, c := range cs {
		if err := g.reg.Register(c); err != nil {
			return nil, fmt.Errorf("sidecar: register: %w", err)
		}
	}
	return g, nil
}

// start runs the generation's goroutines until stop.
func (g *generation) start(ctx context.Context, log interface{ Error(string, ...any) }) {
	ctx, g.cancel = context.WithCancel(ctx)
	g.done = make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { _ = g.scraper.Run(ctx) })
	wg.Go(func() { g.sched.run(ctx) })
	if g.logs != nil {
		wg.Go(func() {
			if err := g.logs.Run(ctx); err != nil {
				log.Error("log pipeline stopped", "err", err)
			}
		})
	}
	go func() {
		wg.Wait()
		close(g.done)
	}()
}

// stop cancels the generation and waits for its goroutines.
func (g *generation) stop() {
	if g.cancel == nil {
		return
	}
	g.cancel()
	<-g.done
}

// Gather implements prometheus.Gatherer: health, probe and log metrics,
// then the scraped series. The families are only concatenated: the hub's
// prometheus.Gatherers merges and checks them once, instead of a second
// full consistency pass over every scraped series here.
func (g *generation) Gather() ([]*dto.MetricFamily, error) {
	own, err1 := g.reg.Gather()
	scraped, err2 := g.scraper.Gather()
	return append(own, scraped...), errors.Join(err1, err2)
}
