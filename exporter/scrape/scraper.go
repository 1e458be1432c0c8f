package scrape

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/voicewatch/voicewatch/exporter/sidecarmetrics"
	"github.com/voicewatch/voicewatch/internal/tick"
)

// Scraper scrapes the configured targets. It is a prometheus.Gatherer of
// the scraped series and a prometheus.Collector of its own health metrics
// (register it in the sidecar's own registry).
type Scraper struct {
	log     *slog.Logger
	now     func() time.Time
	jitter  tick.Jitter
	targets []*target

	up       *prometheus.GaugeVec
	duration *prometheus.GaugeVec
	samples  *prometheus.GaugeVec
	errs     *prometheus.CounterVec

	stateMu sync.Mutex
	wasUp   map[string]bool
}

var (
	_ prometheus.Gatherer  = (*Scraper)(nil)
	_ prometheus.Collector = (*Scraper)(nil)
)

// Option configures New beyond Config.
type Option func(*Scraper)

// WithLogger sets the logger (default: discard); component=scrape is added.
func WithLogger(l *slog.Logger) Option { return func(s *Scraper) { s.log = l } }

// WithClient sets the HTTP client (default: a client with no overall
// timeout; each scrape has its own).
func WithClient(c *http.Client) Option {
	return func(s *Scraper) {
		for _, t := range s.targets {
			t.client = c
		}
	}
}

// WithNow injects the clock used to time scrapes (tests).
func WithNow(now func() time.Time) Option { return func(s *Scraper) { s.now = now } }

// WithJitter replaces the random first-scrape offset in [0, interval)
// (tests pass a function returning 0).
func WithJitter(f tick.Jitter) Option {
	return func(s *Scraper) { s.jitter = f }
}

// New validates cfg (after defaults) and returns a Scraper; nothing is
// scraped until Run or ScrapeAll.
func New(cfg Config, opts ...Option) (*Scraper, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	s := &Scraper{
		log:    slog.New(slog.DiscardHandler),
		now:    time.Now,
		wasUp:  map[string]bool{},
		jitter: tick.Random,
		up: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: sidecarmetrics.MetricScrapeUp,
			Help: "1 if the last scrape of the target succeeded, 0 otherwise."}, []string{sidecarmetrics.LabelTarget}),
		duration: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: sidecarmetrics.MetricScrapeDuration,
			Help: "Duration of the last scrape of the target in seconds."}, []string{sidecarmetrics.LabelTarget}),
		samples: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: sidecarmetrics.MetricScrapeSamples,
			Help: "Samples in the last successful scrape of the target."}, []string{sidecarmetrics.LabelTarget}),
		errs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: sidecarmetrics.MetricScrapeErrors,
			Help: "Failed scrapes by reason: timeout, unreachable, http_status, body_too_large, parse_error."},
			[]string{sidecarmetrics.LabelTarget, sidecarmetrics.LabelReason}),
	}
	for _, tc := range cfg.Targets {
		s.targets = append(s.targets, &target{cfg: tc, client: client})
		s.up.WithLabelValues(tc.Name).Set(0)
		for _, r := range []string{ReasonTimeout, ReasonUnreachable, ReasonHTTPStatus, ReasonTooLarge, ReasonParse} {
			s.errs.WithLabelValues(tc.Name, r)
		}
	}
	for _, o := range opts {
		o(s)
	}
	s.log = s.log.With("component", "scrape")
	return s, nil
}

// Run scrapes every target on its interval, one goroutine per target, the
// first scrape at a random offset within the interval. It returns when ctx
// is done and every goroutine has exited.
func (s *Scraper) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, t := range s.targets {
		wg.Go(func() { s.loop(ctx, t) })
	}
	wg.Wait()
	return nil
}

func (s *Scraper) loop(ctx context.Context, t *target) {
	tick.Every(ctx, t.cfg.Interval, s.jitter, false, func(ctx context.Context) { s.scrapeOne(ctx, t) })
}

// ScrapeAll scrapes every target once, concurrently, and returns when all
// are done (tests, and the sidecar's first readiness).
func (s *Scraper) ScrapeAll(ctx context.Context) {
	var wg sync.WaitGroup
	for _, t := range s.targets {
		wg.Go(func() { s.scrapeOne(ctx, t) })
	}
	wg.Wait()
}

func (s *Scraper) scrapeOne(ctx context.Context, t *target) {
	r := t.scrape(ctx, s.now)
	if ctx.Err() != nil && r.err != nil {
		return // shutting down: not the target's fault
	}
	name := t.cfg.Name
	s.duration.WithLabelValues(name).Set(r.duration.Seconds())
	up := r.err == nil
	if up {
		s.up.WithLabelValues(name).Set(1)
		s.samples.WithLabelValues(name).Set(float64(r.samples))
	} else {
		s.up.WithLabelValues(name).Set(0)
		s.errs.WithLabelValues(name, r.reason).Inc()
	}
	s.stateMu.Lock()
	was, known := s.wasUp[name]
	s.wasUp[name] = up
	s.stateMu.Unlock()
	switch {
	case up && (!known || !was):
		s.log.Info("target up", "target", name, "samples", r.samples)
	case !up && (!known || was):
		s.log.Warn("target down", "target", name, "reason", r.reason, "err", redactURL(r.err))
	}
}

// redactURL hides a password in the URL an *url.Error carries.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			ue.URL = u.Redacted()
		}
	}
	return err
}

// Gather returns the latest snapshot of every target that is up, families
// of the same name merged, sorted by name. Families whose type differs
// from the first target's are skipped for the later targets.
func (s *Scraper) Gather() ([]*dto.MetricFamily, error) {
	byName := map[string]*dto.MetricFamily{}
	for _, t := range s.targets {
		for _, mf := range t.snapshot() {
			cur, ok := byName[mf.GetName()]
			if !ok {
				cp := &dto.MetricFamily{Name: mf.Name, Help: mf.Help, Type: mf.Type, Unit: mf.Unit,
					Metric: append([]*dto.Metric(nil), mf.Metric...)}
				byName[mf.GetName()] = cp
				continue
			}
			if cur.GetType() != mf.GetType() {
				continue
			}
			cur.Metric = append(cur.Metric, mf.Metric...)
		}
	}
	out := make([]*dto.MetricFamily, 0, len(byName))
	for _, mf := range byName {
		out = append(out, mf)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].GetName() < out[j].GetName() })
	return out, nil
}

// Describe implements prometheus.Collector (health metrics).
func (s *Scraper) Describe(ch chan<- *prometheus.Desc) {
	s.up.Describe(ch)
	s.duration.Describe(ch)
	s.samples.Describe(ch)
	s.errs.Describe(ch)
}

// Collect implements prometheus.Collector (health metrics).
func (s *Scraper) Collect(ch chan<- prometheus.Metric) {
	s.up.Collect(ch)
	s.duration.Collect(ch)
	s.samples.Collect(ch)
	s.errs.Collect(ch)
}
