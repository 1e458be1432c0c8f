package cardinality

import (
	"cmp"
	"sync"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/voicewatch/voicewatch/exporter/sidecarmetrics"
)

// OtherMetric is the metric label value under which drops are counted once
// Config.MaxMetrics metric names are tracked.
const OtherMetric = "_other"

// Config configures a Limiter.
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
	c.MaxSeriesPerMetric = cmp.Or(c.MaxSeriesPerMetric, 10000)
	c.MaxMetrics = cmp.Or(c.MaxMetrics, 10000)
	c.ForgetAfter = cmp.Or(c.ForgetAfter, 10*time.Minute)
	return c
}

// Limiter is a cardinality-limiting prometheus.Gatherer and the
// prometheus.Collector of its drop counter.
type Limiter struct {
	cfg     Config
	inner   prometheus.Gatherer
	now     func() time.Time
	dropped *prometheus.CounterVec

	base    time.Time // origin of the last-seen times
	mu      sync.Mutex
	metrics map[string]map[uint64]int64 // metric → series hash → last seen (Limiter.since)
	key     []byte                      // series key buffer, reused under mu
}

var (
	_ prometheus.Gatherer  = (*Limiter)(nil)
	_ prometheus.Collector = (*Limiter)(nil)
)

// Option configures New.
type Option func(*Limiter)

// WithNow injects the clock used to forget series (tests).
func WithNow(now func() time.Time) Option { return func(g *Limiter) { g.now = now } }

// New wraps inner. Register the Limiter itself (its drop counter) in a
// registry that inner gathers, so the counter is published too.
func New(cfg Config, inner prometheus.Gatherer, opts ...Option) *Limiter {
	g := &Limiter{
		cfg:     cfg.WithDefaults(),
		inner:   inner,
		now:     time.Now,
		metrics: map[string]map[uint64]int64{},
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: sidecarmetrics.MetricSeriesDropped,
			Help: "Series not published because their metric reached the per-metric series limit.",
		}, []string{sidecarmetrics.LabelMetric}),
	}
	for _, o := range opts {
		o(g)
	}
	g.base = g.now()
	return g
}

// Gather gathers inner and removes the series beyond the limits. Inner
// families are never modified; filtered families are copies. Every Gather
// counts the series it drops, so with two consumers (a Prometheus server
// and the push pipeline) a dropped series is counted by each.
//
// Series are remembered by a 64-bit hash of their labels (xxhash), not the
// labels themselves: 16 bytes a series. A series costs a key built into a
// reused buffer, its hash and one map store; nothing is allocated. Two
// series whose hashes collide (odds about n²/2⁶⁵) count as one, so the
// second passes without taking a place.
func (g *Limiter) Gather() ([]*dto.MetricFamily, error) {
	fams, err := g.inner.Gather()
	now := g.since(g.now())
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]*dto.MetricFamily, 0, len(fams))
	var other int
	for _, mf := range fams {
		name := mf.GetName()
		seen, ok := g.metrics[name]
		if !ok {
			if len(g.metrics) >= g.cfg.MaxMetrics {
				other += len(mf.Metric)
				continue
			}
			seen = map[uint64]int64{}
			g.metrics[name] = seen
		}
		var kept []*dto.Metric
		filtered, forgot, dropped := false, false, 0
		for i, m := range mf.Metric {
			g.key = appendSeriesKey(g.key[:0], m)
			h := xxhash.Sum64(g.key)
			if _, ok := seen[h]; !ok {
				if len(seen) >= g.cfg.MaxSeriesPerMetric {
					if !forgot {
						g.forget(seen, now)
						forgot = true
					}
					if len(seen) >= g.cfg.MaxSeriesPerMetric {
						if !filtered {
							kept = append(kept, mf.Metric[:i]...)
							filtered = true
						}
						dropped++
						continue
					}
				}
			}
			seen[h] = now
			if filtered {
				kept = append(kept, m)
			}
		}
		if dropped > 0 {
			g.dropped.WithLabelValues(name).Add(float64(dropped))
		}
		if filtered {
			if len(kept) == 0 {
				continue
			}
			mf = &dto.MetricFamily{Name: mf.Name, Help: mf.Help, Type: mf.Type, Unit: mf.Unit, Metric: kept}
		}
		out = append(out, mf)
	}
	if other > 0 {
		g.dropped.WithLabelValues(OtherMetric).Add(float64(other))
	}
	return out, err
}

// since returns t as nanoseconds since the Limiter's base time, which keeps
// the monotonic clock reading (when both have one) that an int64 of
// t.UnixNano would lose.
func (g *Limiter) since(t time.Time) int64 { return int64(t.Sub(g.base)) }

// forget removes series of one metric not seen within ForgetAfter; now and
// the last-seen times are Limiter.since values.
func (g *Limiter) forget(seen map[uint64]int64, now int64) {
	for k, last := range seen {
		if time.Duration(now-last) > g.cfg.ForgetAfter {
			delete(seen, k)
		}
	}
}

// appendSeriesKey appends the key of m's label set to b: every label name
// and value, each followed by a 0 byte.
func appendSeriesKey(b []byte, m *dto.Metric) []byte {
	for _, l := range m.GetLabel() {
		b = append(b, l.GetName()...)
		b = append(b, 0)
		b = append(b, l.GetValue()...)
		b = append(b, 0)
	}
	return b
}

// Describe implements prometheus.Collector.
func (g *Limiter) Describe(ch chan<- *prometheus.Desc) { g.dropped.Describe(ch) }

// CountDropped counts one observation that another bound (such as the log
// pipeline's label-value limit) dropped for metric, so every cardinality drop
// of the process lands in the one voicewatch_series_dropped_total.
func (g *Limiter) CountDropped(metric string) { g.dropped.WithLabelValues(metric).Inc() }

// Collect implements prometheus.Collector.
func (g *Limiter) Collect(ch chan<- prometheus.Metric) { g.dropped.Collect(ch) }
