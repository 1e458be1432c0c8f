// Package dashboards builds voicewatch's dashboards as code: four Grafana
// dashboards (voice agent overview, probes, edge and security, sidecar health)
// built with grafana-foundation-sdk, and a CloudWatch dashboard body for teams
// without Grafana.
//
// Every query is built from the metric-name constants that the voice, probes
// and exporter packages export, so renaming a metric breaks the build instead
// of a dashboard. The generated JSON is committed under dashboards/grafana and
// dashboards/cloudwatch; a golden test regenerates and diffs it.
//
// `agent dashboards export|apply` (cmd/agent) drives [Generator].
package dashboards
