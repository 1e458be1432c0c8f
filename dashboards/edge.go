package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/units"

	"github.com/voicewatch/voicewatch/exporter/sidecarmetrics"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// This file is the "Edge and security" dashboard. Scanner traffic is
// rejected by the media core's guard before routing, so
// voice_http_requests_total counts legitimate requests only.

// scannerNoiseTarget is the incident report's target: fewer than 10 scanner
// requests per 2 hours in the logs.
const scannerNoiseTarget = 10

func (g *Generator) edge(b *dashboard.DashboardBuilder) *dashboard.DashboardBuilder {
	s := sel{g.cfg}
	legit := s.voice(voicemetrics.MetricHTTPRequests)
	scanner := s.voice(voicemetrics.MetricHTTPScannerRequests)
	limited := s.voice(voicemetrics.MetricHTTPRateLimited)
	rejected := s.voice(voicemetrics.MetricHTTPRejected)

	return g.edgeWAFRow(b.WithRow(row("Last 2 hours")).
		WithPanel(statPanel("Scanner requests", "Scanner requests rejected by the guard in the last 2 h. They are not logged above debug level, so they no longer drown real errors (the incident's target was < 10 per 2 h in the logs).", units.Short,
			thresholds(base("green"), at(scannerNoiseTarget, "orange")),
			instant(increase(scanner, "2h")+" or vector(0)", "scanner")).Span(6)).
		WithPanel(statPanel("Legitimate share", "Legitimate requests / all requests reaching the edge in the last 2 h.", units.PercentUnit, neutral(),
			instant(ratio(increase(legit, "2h"), increase(legit, "2h")+" + "+increase(scanner, "2h")), "legitimate")).Span(6)).
		WithPanel(statPanel("Rate-limited requests", "Requests refused by the per-client-IP rate limit in the last 2 h.", units.Short,
			thresholds(base("green"), at(1, "orange")),
			instant(increase(limited, "2h")+" or vector(0)", "rate limited")).Span(6)).
		WithPanel(statPanel("Guard rejections", "Requests rejected by the guard for other reasons (body size, bad method, ...) in the last 2 h.", units.Short,
			thresholds(base("green"), at(1, "orange")),
			instant(increase(rejected, "2h")+" or vector(0)", "rejected")).Span(6)).
		WithRow(row("Media core edge")).
		WithPanel(timeSeries("Legitimate vs scanner requests", "Requests per second at the media core's HTTP edge.", units.RequestsPerSecond,
			query(rate(legit), "legitimate"),
			query(rate(scanner), "scanner"),
			query(rate(limited), "rate limited"),
			query(rate(rejected), "rejected")).Span(12)).
		WithPanel(timeSeries("Scanner requests by pattern", "WebLogic console, cgi/sendmail injection, invalid methods, path traversal, ...", units.RequestsPerSecond,
			query(rate(scanner, voicemetrics.LabelPattern), "{{pattern}}")).Span(12)).
		WithPanel(timeSeries("Legitimate requests by route and code", "Routed requests per second.", units.RequestsPerSecond,
			query(rate(legit, voicemetrics.LabelRoute, voicemetrics.LabelCode), "{{route}} {{code}}")).Span(12)).
		WithPanel(timeSeries("Rejections and rate limiting", "Guard rejections by reason and rate-limited requests, per second.", units.RequestsPerSecond,
			query(rate(rejected, voicemetrics.LabelReason), "rejected {{reason}}"),
			query(rate(limited), "rate limited")).Span(12)).
		WithRow(row("From logs (sidecar)")).
		WithPanel(timeSeries("Log lines by class", "Lines the sidecar read from access and application logs, classified legitimate, scanner or unparsable.", units.OpsPerSecond,
			query(rate(s.sidecar(sidecarmetrics.MetricLogLines), labelClass), "{{class}}"))).
		WithPanel(timeSeries("Scanner requests in logs by pattern", "Scanner requests seen in the logs (e.g. ALB access logs, another bot's logs).", units.RequestsPerSecond,
			query(rate(s.sidecar(sidecarmetrics.MetricLogScannerRequests), voicemetrics.LabelPattern), "{{pattern}}"))).
		WithPanel(timeSeries("Requests in logs by class and status", "Requests in the logs by class and status class.", units.RequestsPerSecond,
			query(rate(s.sidecar(sidecarmetrics.MetricLogRequests), labelClass, labelCodeClass), "{{class}} {{code_class}}"))).
		WithPanel(withThresholdLine(timeSeries("Scanner requests reaching the service (2 h)", "Scanner requests the media core's guard rejected in the last 2 h: they got past the WAF. Above the line (the incident's target, 10 per 2 h) the VoiceScannerRequestsReachService ticket fires.", units.Short,
			query(increase(scanner, "2h")+" or vector(0)", "last 2 h")), thresholds(base("green"), at(scannerNoiseTarget, "red"))).Span(24)))
}
