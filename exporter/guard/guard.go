package guard

import (
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	names "github.com/voicewatch/voicewatch/exporter"
)

// OtherMetric is the metric label value under which drops are counted once
// Config.MaxMetrics metric names are tracked.
const OtherMetric = "_other"

// Config configures a Guard.
type Config struct {
	// MaxSeriesPerMetric is the most series one metric name may publish.
	// Default 10000.
	MaxSeriesPerMetric int `yaml:"max_series_per_metric"`
	// MaxMetrics is the most metric names tracked; families beyond it are
	// dropped whole and counted under metric="_other". Default 10000.
	MaxMetrics int `yaml:"max_metrics"`
	// ForgetAfter is how long an admitted series that is no longer
	// published keeps its place. Default 10m.
	ForgetAfter time.Duration `yaml:"forget_after"`
}

// WithDefaults returns c with zero fields set to their defaults.
func (c Config) WithDefaults() Config {
	if c.MaxSeriesPerMetric == 0 {
		c.MaxSeriesPerMetric = 10000
	}
	if c.MaxMetrics == 0 {
		c.MaxMetrics = 10000
	}
	if c.ForgetAfter == 0 {
		c.ForgetAfter = 10 * time.Minute
	}
	return c
}

// Guard is a cardinality-limiting prometheus.Gatherer and the
// prometheus.Collector of its drop counter.
type Guard struct {
	cfg     Config
	inner   prometheus.Gatherer
	now     func() time.Time
	dropped *prometheus.CounterVec

	mu      sync.Mutex
	metrics map[string]map[string]time.Time // metric → series key → last seen
}

var (
	_ prometheus.Gatherer  = (*Guard)(nil)
	_ prometheus.Collector = (*Guard)(nil)
)

// Option configures New.
type Option func(*Guard)

// WithNow injects the clock used to forget series (tests).
func WithNow(now func() time.Time) Option { return func(g *Guard) { g.now = now } }

// New wraps inner. Register the Guard itself (its drop counter) in a
// registry that inner gathers, so the counter is published too.
func New(cfg Config, inner prometheus.Gatherer, opts ...Option) *Guard {
	g := &Guard{
		cfg:     cfg.WithDefaults(),
		inner:   inner,
		now:     time.Now,
		metrics: map[string]map[string]time.Time{},
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: names.MetricSeriesDropped,
			Help: "Series not published because their metric reached the per-metric series limit.",
		}, []string{names.LabelMetric}),
	}
	for _, o := range opts {
		o(g)
	}
	return g
}

// Gather gathers inner and removes the series beyond the limits. Inner
// families are never modified; filtered families are copies. Every Gather
// counts the series it drops, so with two consumers (a Prometheus server
// and the push pipeline) a dropped series is counted by each.
func (g *Guard) Gather() ([]*dto.MetricFamily, error) {
	fams, err := g.inner.Gather()
	now := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	out := fams[:0:0]
	for _, mf := range fams {
		name := mf.GetName()
		seen, ok := g.metrics[name]
		if !ok {
			if len(g.metrics) >= g.cfg.MaxMetrics {
				g.dropped.WithLabelValues(OtherMetric).Add(float64(len(mf.Metric)))
				continue
			}
			seen = map[string]time.Time{}
			g.metrics[name] = seen
		}
		var kept []*dto.Metric
		filtered, forgot := false, false
		for i, m := range mf.Metric {
			key := seriesKey(m)
			if _, ok := seen[key]; !ok && len(seen) >= g.cfg.MaxSeriesPerMetric {
				if !forgot {
					g.forget(seen, now)
					forgot = true
				}
				if len(seen) >= g.cfg.MaxSeriesPerMetric {
					if !filtered {
						kept = append(kept, mf.Metric[:i]...)
						filtered = true
					}
					g.dropped.WithLabelValues(name).Inc()
					continue
				}
			}
			seen[key] = now
			if filtered {
				kept = append(kept, m)
			}
		}
		if filtered {
			if len(kept) == 0 {
				continue
			}
			mf = &dto.MetricFamily{Name: mf.Name, Help: mf.Help, Type: mf.Type, Unit: mf.Unit, Metric: kept}
		}
		out = append(out, mf)
	}
	return out, err
}

// forget removes series of one metric not seen within ForgetAfter.
func (g *Guard) forget(seen map[string]time.Time, now time.Time) {
	for k, t := range seen {
		if now.Sub(t) > g.cfg.ForgetAfter {
			delete(seen, k)
		}
	}
}

func seriesKey(m *dto.Metric) string {
	var b strings.Builder
	for _, l := range m.GetLabel() {
		b.WriteString(l.GetName())
		b.WriteByte(0)
		b.WriteString(l.GetValue())
		b.WriteByte(0)
	}
	return b.String()
}

// Describe implements prometheus.Collector.
func (g *Guard) Describe(ch chan<- *prometheus.Desc) { g.dropped.Describe(ch) }

// CountDropped counts one observation that another bound (such as the log
// pipeline's label-value limit) dropped for metric, so every cardinality drop
// of the process lands in the one voicewatch_series_dropped_total.
func (g *Guard) CountDropped(metric string) { g.dropped.WithLabelValues(metric).Inc() }

// Collect implements prometheus.Collector.
func (g *Guard) Collect(ch chan<- prometheus.Metric) { g.dropped.Collect(ch) }
