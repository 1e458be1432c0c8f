package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/units"
	"github.com/voicewatch/voicewatch/exporter/sidecarmetrics"
)

// This file is the "Sidecar health" dashboard.

// Label names of the sidecar metrics, as documented next to the metric names
// in exporter/sidecarmetrics (which declares no label constants yet).
const (
	labelTarget    = "target"
	labelClass     = "class"
	labelCodeClass = "code_class"
	labelKind      = "kind"
	labelEvent     = "event"
	labelResult    = "result"
	labelMetric    = "metric"
)

func (g *Generator) sidecar(b *dashboard.DashboardBuilder) *dashboard.DashboardBuilder {
	s := sel{g.cfg}
	dropped := s.sidecar(sidecarmetrics.MetricCloudWatchDropped)

	return b.WithRow(row("Status")).
		WithPanel(statPanel("Sidecar up", "Whether Prometheus can scrape the sidecar.", units.Short, goodAbove(1),
			instant("min("+s.sidecar(MetricUp)+")", "up")).Span(6)).
		WithPanel(statPanel("Media core up", "Whether Prometheus can scrape the media core.", units.Short, goodAbove(1),
			instant("min("+s.voice(MetricUp)+")", "up")).Span(6)).
		WithPanel(statPanel("Sidecar scrape targets down", "Targets the sidecar fails to scrape.", units.Short, badAbove(1),
			instant("count("+s.sidecar(sidecarmetrics.MetricScrapeUp)+" == 0) or vector(0)", "down")).Span(6)).
		WithPanel(statPanel("CloudWatch datums dropped (1h)", "Datums the CloudWatch sink dropped in the last hour (queue full or permanent errors).", units.Short, badAbove(1),
			instant(increase(dropped, "1h")+" or vector(0)", "dropped")).Span(6)).
		WithRow(row("Scrapes")).
		WithPanel(timeSeries("Scrape up by target", "1 when the sidecar's last scrape of the target succeeded.", units.Short,
			query(minBy([]string{labelTarget}, s.sidecar(sidecarmetrics.MetricScrapeUp)), "{{target}}")).Min(0).Max(1)).
		WithPanel(timeSeries("Scrape duration", "Duration of the sidecar's scrapes by target.", units.Seconds,
			query(maxBy([]string{labelTarget}, s.sidecar(sidecarmetrics.MetricScrapeDuration)), "{{target}}"))).
		WithPanel(timeSeries("Scrape errors and samples", "Scrape errors per second, and samples per scrape, by target.", units.Short,
			query(rate(s.sidecar(sidecarmetrics.MetricScrapeErrors), labelTarget), "errors/s {{target}}"),
			query(maxBy([]string{labelTarget}, s.sidecar(sidecarmetrics.MetricScrapeSamples)), "samples {{target}}"))).
		WithRow(row("CloudWatch")).
		WithPanel(timeSeries("Queue", "Datums waiting to be sent to CloudWatch.", units.Short,
			query("sum("+s.sidecar(sidecarmetrics.MetricCloudWatchQueued)+")", "queued")).Span(6)).
		WithPanel(timeSeries("Datums sent vs dropped", "Datums per second.", units.OpsPerSecond,
			query(rate(s.sidecar(sidecarmetrics.MetricCloudWatchSent)), "sent"),
			query(rate(dropped), "dropped")).Span(6)).
		WithPanel(timeSeries("Requests by result", "PutMetricData requests per second: ok, throttled, error.", units.RequestsPerSecond,
			query(rate(s.sidecar(sidecarmetrics.MetricCloudWatchRequests), labelResult), "{{result}}")).Span(6)).
		WithPanel(timeSeries("Retries", "PutMetricData retries per second (throttling, transient errors).", units.OpsPerSecond,
			query(rate(s.sidecar(sidecarmetrics.MetricCloudWatchRetries)), "retries")).Span(6)).
		WithRow(row("Cardinality guard and log pipeline")).
		WithPanel(timeSeries("Series dropped by the cardinality guard", "New label combinations refused because a metric hit its series limit, per second.", units.OpsPerSecond,
			query(rate(s.sidecar(sidecarmetrics.MetricSeriesDropped), labelMetric), "{{metric}}"))).
		WithPanel(timeSeries("Log pipeline errors", "Log lines the sidecar could not handle, by kind, per second.", units.OpsPerSecond,
			query(rate(s.sidecar(sidecarmetrics.MetricLogErrors), labelKind), "{{kind}}"))).
		WithPanel(timeSeries("Log events", "Events derived from logs, by event, per second.", units.OpsPerSecond,
			query(rate(s.sidecar(sidecarmetrics.MetricLogEvents), labelEvent), "{{event}}"))).
		WithRow(row("Processes")).
		WithPanel(timeSeries("Resident memory", "Resident memory of the sidecar and the media core.", units.BytesIEC,
			query(sumBy([]string{"job", "instance"}, s.jobs(MetricProcessResidentMem)), "{{job}} {{instance}}"))).
		WithPanel(timeSeries("CPU", "CPU seconds per second.", units.Short,
			query(rate(s.jobs(MetricProcessCPUSeconds), "job", "instance"), "{{job}} {{instance}}"))).
		WithPanel(timeSeries("Goroutines", "Goroutines of the sidecar and the media core.", units.Short,
			query(sumBy([]string{"job", "instance"}, s.jobs(MetricGoGoroutines)), "{{job}} {{instance}}")))
}
