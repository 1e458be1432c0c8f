package cloudwatch

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/voicewatch/voicewatch/exporter/sidecarmetrics"
)

// Drop reasons (label reason of voicewatch_cloudwatch_dropped_datums_total).
const (
	dropBufferFull = "buffer_full" // the buffer was full when the datum was produced
	dropRejected   = "rejected"    // CloudWatch refused the request as invalid
	dropShutdown   = "shutdown"    // still buffered when Shutdown's deadline ended
	dropInvalid    = "invalid"     // NaN/Inf or unmergeable histogram data points
	// dropNoAggregation: several series of a gauge without an aggregation
	// collapsed onto one dimension set.
	dropNoAggregation = "no_aggregation"
)

// Request results (label result of voicewatch_cloudwatch_requests_total).
const (
	resultOK        = "ok"
	resultThrottled = "throttled"
	resultError     = "error"
)

// health holds the exporter's own metrics.
type health struct {
	queued   prometheus.GaugeFunc
	sent     prometheus.Counter
	dropped  *prometheus.CounterVec
	requests *prometheus.CounterVec
	retries  prometheus.Counter
}

func newHealth(queueLen func() float64) *health {
	h := &health{
		queued: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: sidecarmetrics.MetricCloudWatchQueued,
			Help: "Datums buffered for PutMetricData.",
		}, queueLen),
		sent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: sidecarmetrics.MetricCloudWatchSent,
			Help: "Datums CloudWatch accepted (or EMF lines' datums written).",
		}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: sidecarmetrics.MetricCloudWatchDropped,
			Help: "Datums dropped, by reason: buffer_full, rejected, shutdown, invalid, no_aggregation.",
		}, []string{"reason"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: sidecarmetrics.MetricCloudWatchRequests,
			Help: "PutMetricData requests by result: ok, throttled, error.",
		}, []string{"result"}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: sidecarmetrics.MetricCloudWatchRetries,
			Help: "PutMetricData requests retried after throttling or a server error.",
		}),
	}
	for _, r := range []string{dropBufferFull, dropRejected, dropShutdown, dropInvalid, dropNoAggregation} {
		h.dropped.WithLabelValues(r)
	}
	for _, r := range []string{resultOK, resultThrottled, resultError} {
		h.requests.WithLabelValues(r)
	}
	return h
}

func (h *health) collectors() []prometheus.Collector {
	return []prometheus.Collector{h.queued, h.sent, h.dropped, h.requests, h.retries}
}

// Describe implements prometheus.Collector.
func (e *exporter) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range e.health.collectors() {
		c.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (e *exporter) Collect(ch chan<- prometheus.Metric) {
	for _, c := range e.health.collectors() {
		c.Collect(ch)
	}
}
