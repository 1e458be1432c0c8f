// Package alerts keeps voicewatch's alerting as code: it builds, from the
// metric constants that voice, probes and exporter export, the Prometheus
// rule files (multiwindow multi-burn-rate SLO alerts with their recording
// rules, probe, provider, media-core and sidecar alerts) and their promtool
// unit tests, the Alertmanager routing configuration (page vs ticket,
// inhibitions) and the CloudWatch alarms, log metric filters and SNS topic of
// the incident report, which it applies idempotently through aws-sdk-go-v2.
//
// The generated artefacts are committed under alerts/prometheus,
// alerts/alertmanager and alerts/cloudwatch; tests regenerate them and fail
// when they are stale (go test ./alerts -update rewrites them). Every alert
// carries a runbook_url into docs/runbooks/.
//
// `agent alerts ...` (cmd/agent) drives [Config], [Applier] and [Receiver].
package alerts
