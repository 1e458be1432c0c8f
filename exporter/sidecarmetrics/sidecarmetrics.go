// Package sidecarmetrics names the sidecar's own health metrics and the
// metrics it derives from logs. It is a leaf package with no dependencies:
// dashboards, alerts and the CloudWatch catalogue import it without linking
// the sidecar.
package sidecarmetrics

// Metric names of the sidecar's own health and of the metrics it derives from
// logs. They are the contract with the dashboards and alerts, which import
// these constants.
const (
	// Scrape health, one series per configured target (label target).
	MetricScrapeUp       = "voicewatch_scrape_up"
	MetricScrapeDuration = "voicewatch_scrape_duration_seconds"
	MetricScrapeSamples  = "voicewatch_scrape_samples"
	MetricScrapeErrors   = "voicewatch_scrape_errors_total"

	// Log pipeline.
	MetricLogLines           = "voicewatch_log_lines_total"            // class: legitimate|scanner|unparsable
	MetricLogRequests        = "voicewatch_log_requests_total"         // class, code_class (2xx..5xx)
	MetricLogErrors          = "voicewatch_log_errors_total"           // kind (bounded, from the format/rule set)
	MetricLogScannerRequests = "voicewatch_log_scanner_requests_total" // pattern
	MetricLogEvents          = "voicewatch_log_events_total"           // event (voicewatch JSON events / rule names)
	MetricLogSessionsStarted = "voicewatch_log_sessions_started_total" //
	MetricLogSessionsEnded   = "voicewatch_log_sessions_ended_total"   // outcome
	MetricLogWebSocketConns  = "voicewatch_log_websocket_connections_total"

	// CloudWatch sink.
	MetricCloudWatchQueued   = "voicewatch_cloudwatch_queue_datums"
	MetricCloudWatchSent     = "voicewatch_cloudwatch_sent_datums_total"
	MetricCloudWatchDropped  = "voicewatch_cloudwatch_dropped_datums_total"
	MetricCloudWatchRequests = "voicewatch_cloudwatch_requests_total" // result: ok|throttled|error
	MetricCloudWatchRetries  = "voicewatch_cloudwatch_retries_total"

	// Cardinality guard.
	MetricSeriesDropped = "voicewatch_series_dropped_total" // metric

	// Build info.
	MetricBuildInfo = "voicewatch_build_info"
)

// Label names of the sidecar's own metrics.
const (
	// LabelTarget is the scrape target's configured name.
	LabelTarget = "target"
	// LabelReason is a bounded failure reason.
	LabelReason = "reason"
	// LabelMetric is a metric name (cardinality guard drops).
	LabelMetric = "metric"
)
