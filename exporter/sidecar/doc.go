// Package sidecar assembles voicewatch's observability sidecar (`agent
// sidecar`): scrape targets (exporter/scrape), scheduled probe suites
// (probes/suite), log-derived metrics (exporter/logs) and its own health
// are Prometheus gatherers behind a cardinality limiter (exporter/cardinality). The
// limited hub is served on /metrics and fed, through the OpenTelemetry
// Prometheus bridge producer, to one sdk/metric MeterProvider whose readers
// push to CloudWatch (exporter/cloudwatch) and OTLP.
//
// HTTP endpoints: /metrics, /probe?target=&module= (blackbox_exporter
// compatible), / (status page with the latest probe results and recent
// failures), /-/healthy and /-/ready.
//
// Reload swaps scrape targets, probes, modules and log sources while the
// push pipeline, and the CloudWatch exporter's buffer with it, stays. When
// Run's context ends, the MeterProvider is shut down within
// Config.ShutdownGrace: a last collection is exported and the CloudWatch
// buffer flushed.
package sidecar
