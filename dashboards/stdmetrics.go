package dashboards

// Standard metric names that no voicewatch package declares: Prometheus' own
// `up` series and the Go/process collectors of client_golang, which both the
// media core and the sidecar register.
const (
	MetricUp                  = "up"
	MetricProcessResidentMem  = "process_resident_memory_bytes"
	MetricProcessCPUSeconds   = "process_cpu_seconds_total"
	MetricGoGoroutines        = "go_goroutines"
	MetricProcessOpenFDs      = "process_open_fds"
	MetricProcessStartSeconds = "process_start_time_seconds"
)

// StandardMetrics lists the names above, for checks that every queried
// metric is a known one.
var StandardMetrics = []string{
	MetricUp, MetricProcessResidentMem, MetricProcessCPUSeconds,
	MetricGoGoroutines, MetricProcessOpenFDs, MetricProcessStartSeconds,
}
