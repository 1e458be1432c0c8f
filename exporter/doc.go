// Package exporter is the sidecar pipeline: it scrapes Prometheus targets,
// derives metrics from logs, schedules probes and publishes everything on
// /metrics and, through OpenTelemetry, to CloudWatch and OTLP.
package exporter
