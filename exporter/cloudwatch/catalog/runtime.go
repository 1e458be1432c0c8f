package catalog

import (
	"github.com/voicewatch/voicewatch/exporter/sidecarmetrics"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// Summary is the Prometheus summary type: CloudWatch receives no summary
// (quantiles of several tasks cannot be combined), so no catalogue entry
// has it; it appears only among the runtime metrics.
const Summary Kind = "summary"

// known is a metric the exporters expose beside the catalogue: voicewatch's
// own metrics that are not worth a CloudWatch metric by default, and the Go
// runtime and process metrics of client_golang's collectors, which the
// media core and the sidecar both serve. They are never published to
// CloudWatch unless cloudwatch.include names them (each is a paid custom
// metric); Known lets the configuration check an include glob and a
// gauge's aggregation against them. A test compares the list with what
// the collectors register.
type known struct {
	name   string
	kind   Kind
	labels []string
}

var runtimeMetrics = []known{
	// voicewatch metrics outside the catalogue.
	{name: probemetrics.MetricProbeFailureInfo, kind: Gauge, labels: []string{probemetrics.LabelProbe, probemetrics.LabelKind, probemetrics.LabelTarget, probemetrics.LabelPhase, probemetrics.LabelReason}},
	{name: probemetrics.MetricProbePhaseDuration, kind: Gauge, labels: []string{probemetrics.LabelProbe, probemetrics.LabelKind, probemetrics.LabelTarget, probemetrics.LabelPhase}},
	{name: voicemetrics.MetricBuildInfo, kind: Gauge, labels: []string{"version", "revision", "goversion"}},
	{name: voicemetrics.MetricConnectionStateChanges, kind: Counter, labels: []string{voicemetrics.LabelState}},
	{name: voicemetrics.MetricHTTPRateLimited, kind: Counter},
	{name: voicemetrics.MetricHTTPRejected, kind: Counter, labels: []string{voicemetrics.LabelReason}},
	{name: voicemetrics.MetricHTTPRequests, kind: Counter, labels: []string{voicemetrics.LabelRoute, voicemetrics.LabelCode}},
	{name: voicemetrics.MetricRTPBytes, kind: Counter, labels: []string{voicemetrics.LabelDirection}},
	{name: voicemetrics.MetricRTPPackets, kind: Counter, labels: []string{voicemetrics.LabelDirection}},
	{name: voicemetrics.MetricHTTPForwarded, kind: Counter},
	{name: voicemetrics.MetricSessionsRejected, kind: Counter, labels: []string{voicemetrics.LabelReason}},
	{name: voicemetrics.MetricWebSocketActive, kind: Gauge},
	{name: voicemetrics.MetricWebSocketConnections, kind: Counter},
	{name: sidecarmetrics.MetricBuildInfo, kind: Gauge, labels: []string{"version", "revision", "goversion"}},
	{name: sidecarmetrics.MetricCloudWatchQueued, kind: Gauge},
	{name: sidecarmetrics.MetricCloudWatchRequests, kind: Counter, labels: []string{"result"}},
	{name: sidecarmetrics.MetricCloudWatchRetries, kind: Counter},
	{name: sidecarmetrics.MetricCloudWatchSent, kind: Counter},
	{name: sidecarmetrics.MetricLogErrors, kind: Counter, labels: []string{"kind"}},
	{name: sidecarmetrics.MetricLogEvents, kind: Counter, labels: []string{"event"}},
	{name: sidecarmetrics.MetricLogLines, kind: Counter, labels: []string{"class"}},
	{name: sidecarmetrics.MetricLogRequests, kind: Counter, labels: []string{"class", "code_class"}},
	{name: sidecarmetrics.MetricLogScannerRequests, kind: Counter, labels: []string{"pattern"}},
	{name: sidecarmetrics.MetricLogSessionsEnded, kind: Counter, labels: []string{"outcome"}},
	{name: sidecarmetrics.MetricLogSessionsStarted, kind: Counter},
	{name: sidecarmetrics.MetricLogWebSocketConns, kind: Counter},
	{name: sidecarmetrics.MetricScrapeDuration, kind: Gauge, labels: []string{sidecarmetrics.LabelTarget}},
	{name: sidecarmetrics.MetricScrapeErrors, kind: Counter, labels: []string{sidecarmetrics.LabelTarget, sidecarmetrics.LabelReason}},
	{name: sidecarmetrics.MetricScrapeSamples, kind: Gauge, labels: []string{sidecarmetrics.LabelTarget}},
	{name: sidecarmetrics.MetricSeriesDropped, kind: Counter, labels: []string{sidecarmetrics.LabelMetric}},

	// client_golang's Go and process collectors.
	{name: "go_gc_duration_seconds", kind: Summary},
	{name: "go_gc_gogc_percent", kind: Gauge},
	{name: "go_gc_gomemlimit_bytes", kind: Gauge},
	{name: "go_goroutines", kind: Gauge},
	{name: "go_info", kind: Gauge, labels: []string{"version"}},
	{name: "go_memstats_alloc_bytes", kind: Gauge},
	{name: "go_memstats_alloc_bytes_total", kind: Counter},
	{name: "go_memstats_buck_hash_sys_bytes", kind: Gauge},
	{name: "go_memstats_frees_total", kind: Counter},
	{name: "go_memstats_gc_sys_bytes", kind: Gauge},
	{name: "go_memstats_heap_alloc_bytes", kind: Gauge},
	{name: "go_memstats_heap_idle_bytes", kind: Gauge},
	{name: "go_memstats_heap_inuse_bytes", kind: Gauge},
	{name: "go_memstats_heap_objects", kind: Gauge},
	{name: "go_memstats_heap_released_bytes", kind: Gauge},
	{name: "go_memstats_heap_sys_bytes", kind: Gauge},
	{name: "go_memstats_last_gc_time_seconds", kind: Gauge},
	{name: "go_memstats_mallocs_total", kind: Counter},
	{name: "go_memstats_mcache_inuse_bytes", kind: Gauge},
	{name: "go_memstats_mcache_sys_bytes", kind: Gauge},
	{name: "go_memstats_mspan_inuse_bytes", kind: Gauge},
	{name: "go_memstats_mspan_sys_bytes", kind: Gauge},
	{name: "go_memstats_next_gc_bytes", kind: Gauge},
	{name: "go_memstats_other_sys_bytes", kind: Gauge},
	{name: "go_memstats_stack_inuse_bytes", kind: Gauge},
	{name: "go_memstats_stack_sys_bytes", kind: Gauge},
	{name: "go_memstats_sys_bytes", kind: Gauge},
	{name: "go_sched_gomaxprocs_threads", kind: Gauge},
	{name: "go_threads", kind: Gauge},
	{name: "process_cpu_seconds_total", kind: Counter},
	{name: "process_max_fds", kind: Gauge},
	{name: "process_network_receive_bytes_total", kind: Counter},
	{name: "process_network_transmit_bytes_total", kind: Counter},
	{name: "process_open_fds", kind: Gauge},
	{name: "process_resident_memory_bytes", kind: Gauge},
	{name: "process_start_time_seconds", kind: Gauge},
	{name: "process_virtual_memory_bytes", kind: Gauge},
	{name: "process_virtual_memory_max_bytes", kind: Gauge},
}

// Known returns what is known of a metric that is not in the catalogue: its
// kind and labels, or false.
func Known(name string) (Kind, []string, bool) {
	for _, k := range runtimeMetrics {
		if k.name == name {
			return k.kind, k.labels, true
		}
	}
	return "", nil, false
}

// KnownNames returns the names of the metrics Known describes.
func KnownNames() []string {
	out := make([]string, len(runtimeMetrics))
	for i, k := range runtimeMetrics {
		out[i] = k.name
	}
	return out
}
