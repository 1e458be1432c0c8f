package logs

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/voicewatch/voicewatch/exporter/sidecarmetrics"
	"github.com/voicewatch/voicewatch/internal/httpguard"
)

// DefaultMaxLabelValues is the per-metric label value limit when none is set.
const DefaultMaxLabelValues = 100

// OtherLabelValue replaces label values beyond a metric's limit.
const OtherLabelValue = "other"

// MetricsConfig configures Metrics.
type MetricsConfig struct {
	// MaxLabelValues bounds the distinct values of the variable label of each
	// metric (error kind, scanner pattern, event, outcome). Later new values
	// are reported as "other", and every observation folded so is counted in
	// voicewatch_series_dropped_total{metric}. Default 100.
	MaxLabelValues int
	// OnOverflow, when set, is called with the metric name for every
	// observation folded into "other", and Metrics does not export its own
	// voicewatch_series_dropped_total (use it when the sidecar's cardinality
	// guard already publishes that metric in the same registry). Default nil.
	OnOverflow func(metric string)
	// Values are the value captures of the rule sets in use (see
	// ValueCapturesOf); each becomes a histogram or gauge named by its
	// metric. Captures sharing a metric name must agree on type and
	// buckets. Default none.
	Values []*ValueCapture
}

// Metrics turns classified entries into the log-derived Prometheus metrics
// (exporter.MetricLog*). It is a prometheus.Collector; register it on the
// sidecar's registry. Safe for concurrent use.
type Metrics struct {
	lines, requests, errors, scanner, events, ended, dropped *prometheus.CounterVec
	started, websockets                                      prometheus.Counter

	errorsLim, scannerLim, eventsLim, endedLim *limiter
	exportDropped                              bool

	histograms map[string]prometheus.Histogram
	gauges     map[string]prometheus.Gauge
}

var _ prometheus.Collector = (*Metrics)(nil)

// NewMetrics returns Metrics with every bounded label value pre-initialised.
// Of value captures sharing a metric name, the first defines it (see
// CheckValueCaptures).
func NewMetrics(cfg MetricsConfig) *Metrics {
	if cfg.MaxLabelValues <= 0 {
		cfg.MaxLabelValues = DefaultMaxLabelValues
	}
	vec := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	}
	m := &Metrics{
		lines:    vec(sidecarmetrics.MetricLogLines, "Log lines read, by class (over-long lines count as unparsable).", "class"),
		requests: vec(sidecarmetrics.MetricLogRequests, "HTTP requests seen in logs, by class and status code class.", "class", "code_class"),
		errors:   vec(sidecarmetrics.MetricLogErrors, "Errors of legitimate traffic seen in logs (HTTP 5xx and application errors), by kind.", "kind"),
		scanner:  vec(sidecarmetrics.MetricLogScannerRequests, "Scanner requests seen in logs, by httpguard pattern.", "pattern"),
		events:   vec(sidecarmetrics.MetricLogEvents, "Recognised log events, by voicewatch event or rule name.", "event"),
		ended:    vec(sidecarmetrics.MetricLogSessionsEnded, "Voice sessions ended, seen in logs, by outcome.", "outcome"),
		dropped:  vec(sidecarmetrics.MetricSeriesDropped, "Observations whose label value was replaced by \"other\" because the metric reached its label value limit.", "metric"),
		started: prometheus.NewCounter(prometheus.CounterOpts{
			Name: sidecarmetrics.MetricLogSessionsStarted, Help: "Voice sessions started, seen in logs.",
		}),
		websockets: prometheus.NewCounter(prometheus.CounterOpts{
			Name: sidecarmetrics.MetricLogWebSocketConns, Help: "WebSocket connections opened by legitimate clients, seen in logs.",
		}),
	}
	m.exportDropped = cfg.OnOverflow == nil
	newLim := func(name string) *limiter {
		l := &limiter{max: cfg.MaxLabelValues, seen: map[string]struct{}{}}
		if cfg.OnOverflow != nil {
			l.onDrop = func() { cfg.OnOverflow(name) }
		} else {
			l.onDrop = m.dropped.WithLabelValues(name).Inc
		}
		return l
	}
	m.errorsLim = newLim(sidecarmetrics.MetricLogErrors)
	m.scannerLim = newLim(sidecarmetrics.MetricLogScannerRequests)
	m.eventsLim = newLim(sidecarmetrics.MetricLogEvents)
	m.endedLim = newLim(sidecarmetrics.MetricLogSessionsEnded)
	for _, c := range []Class{ClassLegitimate, ClassScanner, ClassUnparsable} {
		m.lines.WithLabelValues(c.String())
	}
	for _, p := range httpguard.Patterns() {
		if m.scannerLim.preset(string(p)) {
			m.scanner.WithLabelValues(string(p))
		}
	}
	for _, o := range []string{"completed", "abandoned", "failed", "rejected"} {
		if m.endedLim.preset(o) {
			m.ended.WithLabelValues(o)
		}
	}
	m.histograms, m.gauges = map[string]prometheus.Histogram{}, map[string]prometheus.Gauge{}
	for _, v := range cfg.Values {
		if m.histograms[v.Metric] != nil || m.gauges[v.Metric] != nil {
			continue
		}
		if v.Type == "gauge" {
			m.gauges[v.Metric] = prometheus.NewGauge(prometheus.GaugeOpts{Name: v.Metric, Help: v.Help})
		} else {
			m.histograms[v.Metric] = prometheus.NewHistogram(prometheus.HistogramOpts{Name: v.Metric, Help: v.Help, Buckets: v.Buckets})
		}
	}
	return m
}

// CheckValueCaptures fails when two value captures share a metric name but
// not its type, unit or buckets.
func CheckValueCaptures(values []*ValueCapture) error {
	seen := map[string]*ValueCapture{}
	for _, v := range values {
		if prev, ok := seen[v.Metric]; ok && (prev.Type != v.Type || prev.scale != v.scale || !slices.Equal(prev.Buckets, v.Buckets)) {
			return fmt.Errorf("%w: value metric %s is captured twice with a different type, unit or buckets", ErrInvalidRuleSet, v.Metric)
		}
		seen[v.Metric] = v
	}
	return nil
}

// Observe counts one classified entry.
func (m *Metrics) Observe(e *Entry) {
	if e.Class == ClassHeader {
		return
	}
	class := e.Class.String()
	m.lines.WithLabelValues(class).Inc()
	if e.Class == ClassUnparsable {
		return
	}
	if e.Event != "" {
		m.events.WithLabelValues(m.eventsLim.value(e.Event)).Inc()
	}
	if e.IsRequest() {
		m.requests.WithLabelValues(class, codeClass(e.Status)).Inc()
	}
	if e.Class == ClassScanner {
		m.scanner.WithLabelValues(m.scannerLim.value(e.Pattern)).Inc()
		return
	}
	for _, v := range e.Values {
		if h, ok := m.histograms[v.Def.Metric]; ok {
			h.Observe(v.Value)
		} else if g, ok := m.gauges[v.Def.Metric]; ok {
			g.Set(v.Value)
		}
	}
	if k := e.ErrorKindOf(); k != "" {
		m.errors.WithLabelValues(m.errorsLim.value(k)).Inc()
	}
	if e.IsWebSocketOpen() {
		m.websockets.Inc()
	}
	switch e.Kind {
	case KindSessionStarted:
		m.started.Inc()
	case KindSessionCompleted:
		m.ended.WithLabelValues(m.endedLim.value("completed")).Inc()
	case KindSessionEnded:
		o := e.Outcome
		if o == "" {
			o = "unknown"
		}
		m.ended.WithLabelValues(m.endedLim.value(o)).Inc()
	}
}

// AddUnparsable counts n lines that never reached a parser (over-long lines).
func (m *Metrics) AddUnparsable(n uint64) {
	m.lines.WithLabelValues(ClassUnparsable.String()).Add(float64(n))
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range m.collectors() {
		c.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	for _, c := range m.collectors() {
		c.Collect(ch)
	}
}

func (m *Metrics) collectors() []prometheus.Collector {
	cs := []prometheus.Collector{m.lines, m.requests, m.errors, m.scanner, m.events, m.ended, m.started, m.websockets}
	for _, name := range slices.Sorted(maps.Keys(m.histograms)) {
		cs = append(cs, m.histograms[name])
	}
	for _, name := range slices.Sorted(maps.Keys(m.gauges)) {
		cs = append(cs, m.gauges[name])
	}
	if m.exportDropped {
		cs = append(cs, m.dropped)
	}
	return cs
}

// codeClass maps a status to 1xx..5xx, or "unknown".
func codeClass(status int) string {
	if status < 100 || status > 599 {
		return "unknown"
	}
	return strconv.Itoa(status/100) + "xx"
}

// limiter bounds the distinct values of one label.
type limiter struct {
	mu     sync.Mutex
	max    int
	seen   map[string]struct{}
	onDrop func()
}

// preset admits v for pre-initialisation if there is room, without
// counting a drop when there is not.
func (l *limiter) preset(v string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.seen) < l.max {
		l.seen[v] = struct{}{}
		return true
	}
	return false
}

// value returns v while fewer than max values were seen (or v was seen
// before), else OtherLabelValue, counting the fold.
func (l *limiter) value(v string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.seen[v]; ok {
		return v
	}
	if len(l.seen) < l.max {
		l.seen[v] = struct{}{}
		return v
	}
	l.onDrop()
	return OtherLabelValue
}
