// Package cloudwatch is the sidecar's CloudWatch sink: an OpenTelemetry
// sdk/metric Exporter that publishes metrics with PutMetricData, or writes
// them as CloudWatch Embedded Metric Format (EMF) JSON lines.
//
// The sidecar feeds it through a PeriodicReader whose producer is the
// Prometheus bridge, so sums and histograms always arrive cumulative. The
// exporter turns them into what CloudWatch aggregates correctly:
//
//   - Counters (monotonic cumulative sums) become per-interval deltas,
//     computed per series (metric name + full attribute set). A value lower
//     than the previous one is a counter reset: the new value is the delta.
//   - Baseline rule: the first export after start only records every series'
//     value and sends no counter or histogram datum for it. A sidecar that
//     restarts mid-life sees counters that already hold increments the
//     previous instance published; sending their full value would count them
//     twice. A series that first appears in a later export was born since the
//     previous collection, so its full value is its delta and is sent.
//     Series state is kept for Config.SeriesTTL after a series was last seen,
//     so a target that is down for a few scrapes does not re-send totals.
//   - Gauges (and non-monotonic or delta sums) are sent as values.
//   - Histograms become delta bucket counts sent as Values/Counts (at most
//     150 values per datum), so CloudWatch computes percentiles. A bucket
//     (lo, hi] is represented by its midpoint; the first bucket's lower bound
//     is 0 when its upper bound is positive (durations and sizes are never
//     negative); the +Inf bucket is represented by the highest finite bound.
//     A percentile read back from CloudWatch therefore lies in the same bucket
//     as the true percentile, at the bucket's middle. StatisticValues are not
//     sent: CloudWatch rejects them together with Values. EMF lines carry the
//     exact Count and Sum beside Values/Counts.
//   - Summaries and exponential (native) histograms are skipped.
//
// What is published comes from the CloudWatch catalogue (package catalog):
// only its metrics by default, each at every one of its dimension sets
// (roll-ups included), with its unit. Config.Include and Config.Exclude
// (metric-name globs) opt other metrics in and catalogue metrics out;
// Config.Dimensions overrides dimension sets. Labels that are not dimensions
// are aggregated away, because every dimension combination is a paid custom
// metric: counter deltas and histogram buckets are summed; a gauge's series
// combine by its aggregation (sum, max, min or average: the catalogue's, or
// Config.Aggregations), and a gauge with none whose series collapse is
// dropped and counted, never summed. The static dimensions Service and
// Environment are added to every datum. Metrics outside the catalogue get
// their unit from the name suffix: _seconds → Seconds, _bytes → Bytes,
// _total → Count.
//
// In mode "api", datums go to a bounded FIFO buffer (Config.BufferDatums) and
// are sent in requests of at most 1000 datums and 1 MB, gzip-compressed by
// the SDK. Throttling, 5xx and network errors are retried inside Export with
// exponential backoff and jitter, bounded by the context. Datums that do not
// fit in the buffer are dropped and counted exactly in
// voicewatch_cloudwatch_dropped_datums_total; buffered datums survive an
// outage and are delivered exactly once when CloudWatch answers again.
// ForceFlush and Shutdown flush the buffer within their context's deadline.
//
// The exporter is also a prometheus.Collector of its own health metrics
// (queue size, sent, dropped, requests, retries); the sidecar registers it.
package cloudwatch
