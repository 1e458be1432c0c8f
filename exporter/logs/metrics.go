package logs

import (
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
}

// Metrics turns classified entries into the log-derived Prometheus metrics
// (exporter.MetricLog*). It is a prometheus.Collector; register it on the
// sidecar's registry. Safe for concurrent use.
type Metrics struct {
	lines, requests, errors, scanner, events, ended, dropped *prometheus.CounterVec
	started, websockets                                      prometheus.Counter

	errorsLim, scannerLim, eventsLim, endedLim *limiter
	exportDropped                              bool
}

var _ prometheus.Collector = (*Metrics)(nil)

// NewMetrics returns Metrics with every bounded label value pre-initialised.
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
	return m
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
