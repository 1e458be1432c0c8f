package sidecar

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/voicewatch/voicewatch/internal/tick"
	"github.com/voicewatch/voicewatch/probes"
)

// scheduler runs each probe once at start-up, then on its own interval:
// the second run comes at a random offset within the interval, so later
// runs are spread out while every probe has a result from the start (an
// alarm that treats missing data as breaching must not see a gap after a
// deploy). It keeps the latest result of each probe.
type scheduler struct {
	log       *slog.Logger
	specs     []probes.Spec
	intervals []time.Duration
	jitter    tick.Jitter
	onResult  func(probes.Result)
	sem       chan struct{} // bounds concurrent probes

	mu     sync.RWMutex
	latest []*probes.Result // by spec index; nil before the first run
}

var _ prometheus.Collector = (*scheduler)(nil)

func newScheduler(log *slog.Logger, specs []probes.Spec, cfg ProbesConfig,
	jitter tick.Jitter, onResult func(probes.Result)) *scheduler {
	s := &scheduler{log: log, specs: specs, jitter: jitter, onResult: onResult,
		sem: make(chan struct{}, max(cfg.Parallel, 1)), latest: make([]*probes.Result, len(specs))}
	for _, sp := range specs {
		d := cfg.Interval
		if v, ok := cfg.Intervals[sp.Name]; ok {
			d = v
		}
		s.intervals = append(s.intervals, d)
	}
	return s
}

// run runs every probe until ctx ends, one goroutine per probe, and
// returns when all have exited.
func (s *scheduler) run(ctx context.Context) {
	var wg sync.WaitGroup
	for i := range s.specs {
		wg.Go(func() { s.loop(ctx, i) })
	}
	wg.Wait()
}

func (s *scheduler) loop(ctx context.Context, i int) {
	tick.Every(ctx, s.intervals[i], s.jitter, true, func(ctx context.Context) { s.runOne(ctx, i) })
}

// runOne runs probe i once and records its result (not when ctx ended
// during the run: a cancelled probe says nothing about the target).
func (s *scheduler) runOne(ctx context.Context, i int) {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return
	}
	r := probes.RunSpec(ctx, s.specs[i])
	<-s.sem
	if ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	prev := s.latest[i]
	s.latest[i] = &r
	s.mu.Unlock()
	s.logTransition(prev, r)
	if s.onResult != nil {
		s.onResult(r)
	}
}

// logTransition logs pass/fail changes only.
func (s *scheduler) logTransition(prev *probes.Result, r probes.Result) {
	if prev != nil && prev.Success == r.Success {
		return
	}
	attrs := []any{"probe", r.Probe, "kind", r.Kind, "target", r.Target, "duration", r.Duration}
	if r.Success {
		s.log.Info("probe passing", attrs...)
		return
	}
	if r.Failure != nil {
		attrs = append(attrs, "phase", r.Failure.Phase, "reason", string(r.Failure.Reason), "err", r.Failure.Message())
	}
	s.log.Warn("probe failing", attrs...)
}

// results returns the latest result of every probe that has run.
func (s *scheduler) results() []probes.Result {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]probes.Result, 0, len(s.latest))
	for _, r := range s.latest {
		if r != nil {
			out = append(out, *r)
		}
	}
	return out
}

// Describe implements prometheus.Collector.
func (s *scheduler) Describe(ch chan<- *prometheus.Desc) { probes.NewCollector().Describe(ch) }

// Collect implements prometheus.Collector with the latest results.
func (s *scheduler) Collect(ch chan<- prometheus.Metric) {
	probes.NewCollector(s.results()...).Collect(ch)
}
