package alerts

import (
	"fmt"
	"time"

	"github.com/voicewatch/voicewatch/exporter/sidecarmetrics"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// labels returns the labels of an alert of the given severity.
func (c Config) labels(severity string) map[string]string {
	return map[string]string{LabelSeverity: severity, LabelService: c.Service}
}

// withLabel returns labels plus one more.
func withLabel(labels map[string]string, k, v string) map[string]string {
	labels[k] = v
	return labels
}

// annotations returns summary, description and runbook_url.
func (c Config) annotations(alert, summary, description string) map[string]string {
	return map[string]string{
		"summary":     summary,
		"description": description,
		"runbook_url": c.RunbookBaseURL + Runbook(alert),
	}
}

// PrometheusRules returns the rule file: SLO recording rules and burn-rate
// alerts, then the symptom and health alerts.
func (c Config) PrometheusRules() RuleFile {
	var slo RuleGroup
	slo.Name = "voicewatch-slo"
	for _, s := range c.slos() {
		slo.Rules = append(slo.Rules, c.sloRecordingRules(s)...)
	}
	for _, s := range c.slos() {
		slo.Rules = append(slo.Rules, c.sloAlerts(s)...)
	}
	return RuleFile{Groups: []RuleGroup{
		slo,
		{Name: "voicewatch-probes", Rules: c.probeAlerts()},
		{Name: "voicewatch-media", Rules: c.mediaAlerts()},
		{Name: "voicewatch-quality", Rules: c.qualityAlerts()},
		{Name: "voicewatch-health", Rules: c.healthAlerts()},
		{Name: "voicewatch-edge", Rules: c.edgeAlerts()},
	}}
}

// probeAlerts fires per probe kind when a probe keeps failing for ProbeFor.
func (c Config) probeAlerts() []Rule {
	kinds := []struct {
		alert, kind, severity, what string
	}{
		{AlertProbeSTUNFailing, probemetrics.KindSTUN, SeverityTicket, "STUN binding (clients behind NAT lose their server-reflexive candidates; other STUN servers may still cover)"},
		{AlertProbeTURNFailing, probemetrics.KindTURN, SeverityPage, "TURN allocation and relay (clients behind symmetric NAT or UDP-blocking firewalls cannot connect at all)"},
		{AlertProbeWebRTCFailing, probemetrics.KindWebRTC, SeverityPage, "end-to-end WebRTC call over WHIP (real users are probably failing to talk to the bot)"},
	}
	var rules []Rule
	for _, k := range kinds {
		rules = append(rules, Rule{
			Alert: k.alert,
			Expr: fmt.Sprintf("%s == 0",
				selector(probemetrics.MetricProbeSuccess, eq("job", c.SidecarJob), eq(probemetrics.LabelKind, k.kind))),
			For:    c.scale(time.Duration(c.ProbeFor)),
			Labels: c.labels(k.severity),
			Annotations: c.annotations(k.alert,
				fmt.Sprintf("%s probe {{ $labels.probe }} keeps failing", k.kind),
				fmt.Sprintf("Probe {{ $labels.probe }} against {{ $labels.target }} has failed every run for %s: %s. The phase and reason are in %s{probe=\"{{ $labels.probe }}\"}.",
					time.Duration(c.ProbeFor), k.what, probemetrics.MetricProbeFailureInfo)),
		})
	}
	return rules
}

// mediaAlerts are symptoms seen by the media core: ICE, providers, HTTP.
func (c Config) mediaAlerts() []Rule {
	job := eq("job", c.VoiceJob)
	w10 := c.scale(10 * time.Minute).String()
	p95 := time.Duration(c.ICEGatheringP95).Seconds()
	ratio := func(errSel, totSel, by string) string {
		return fmt.Sprintf("sum by (%s) (rate(%s[%s]))\n/\nsum by (%s) (rate(%s[%s]))", by, errSel, w10, by, totSel, w10)
	}
	return []Rule{{
		Alert: AlertICEGatheringSlow,
		Expr: fmt.Sprintf("histogram_quantile(0.95, sum by (job, le) (rate(%s[%s]))) > %s",
			selector(voicemetrics.MetricICEGatheringDuration+"_bucket", job), w10, num(p95)),
		For:    c.scale(10 * time.Minute),
		Labels: c.labels(SeverityTicket),
		Annotations: c.annotations(AlertICEGatheringSlow,
			fmt.Sprintf("ICE gathering p95 is above %s", time.Duration(c.ICEGatheringP95)),
			"ICE gathering p95 is {{ $value | humanizeDuration }} (job {{ $labels.job }}); callers wait that long before any media. Slow or unreachable STUN/TURN servers are the usual cause."),
	}, c.directMediaLost(), {
		Alert: AlertTTSErrorRatioHigh,
		// Policy violations are a configuration bug with their own ticket.
		Expr: ratio(selector(voicemetrics.MetricTTSErrors, job, ne(voicemetrics.LabelReason, voicemetrics.ReasonPolicyViolation)),
			selector(voicemetrics.MetricTTSRequests, job), "job, provider") + " > " + num(c.ProviderErrorRatio),
		For:    c.scale(5 * time.Minute),
		Labels: c.labels(SeverityPage),
		Annotations: c.annotations(AlertTTSErrorRatioHigh,
			"TTS provider {{ $labels.provider }} is failing",
			"{{ $value | humanizePercentage }} of text-to-speech requests to {{ $labels.provider }} fail (policy violations excluded): the bot cannot speak."),
	}, {
		Alert: AlertSTTErrorRatioHigh,
		// A user who stays silent for 15 s makes the STT stream time out:
		// that is reported as reason="timeout" and is not a provider failure.
		Expr: ratio(selector(voicemetrics.MetricSTTErrors, job, ne(voicemetrics.LabelReason, voicemetrics.ReasonTimeout)),
			selector(voicemetrics.MetricSTTRequests, job), "job, provider") + " > " + num(c.ProviderErrorRatio),
		For:    c.scale(5 * time.Minute),
		Labels: c.labels(SeverityPage),
		Annotations: c.annotations(AlertSTTErrorRatioHigh,
			"STT provider {{ $labels.provider }} is failing",
			"{{ $value | humanizePercentage }} of speech-to-text requests to {{ $labels.provider }} fail (silence timeouts excluded): the bot cannot hear."),
	}, {
		Alert: AlertTTSPolicyViolation,
		Expr: fmt.Sprintf("sum by (job, provider) (increase(%s[%s])) > 0",
			selector(voicemetrics.MetricTTSErrors, job, eq(voicemetrics.LabelReason, voicemetrics.ReasonPolicyViolation)), c.scale(30*time.Minute)),
		Labels: c.labels(SeverityTicket),
		Annotations: c.annotations(AlertTTSPolicyViolation,
			"TTS provider {{ $labels.provider }} rejects our requests as policy violations",
			"{{ $value | humanize }} TTS requests to {{ $labels.provider }} were rejected as policy violations in the last 30m. This is a client configuration bug (e.g. ElevenLabs voice_settings sent after the first message), not an outage."),
	}, {
		Alert: AlertHTTPServerErrors,
		// voice_http_requests_total counts legitimate requests only: scanner
		// traffic is rejected before routing and never reaches this ratio.
		Expr: ratio(selector(voicemetrics.MetricHTTPRequests, job, re(voicemetrics.LabelCode, "5..")),
			selector(voicemetrics.MetricHTTPRequests, job), "job") + " > " + num(c.HTTPServerErrorRatio),
		For:    c.scale(10 * time.Minute),
		Labels: c.labels(SeverityTicket),
		Annotations: c.annotations(AlertHTTPServerErrors,
			"Media core answers legitimate requests with 5xx",
			"{{ $value | humanizePercentage }} of legitimate HTTP requests (scanner traffic excluded) to job {{ $labels.job }} end in a 5xx."),
	}}
}

// healthAlerts watch the processes themselves.
func (c Config) healthAlerts() []Rule {
	voiceUp := selector(metricUp, eq("job", c.VoiceJob))
	sidecar := eq("job", c.SidecarJob)
	downDesc := "Prometheus cannot scrape the media core (job {{ $labels.job }}): no calls can be served or measured. Its symptom alerts are inhibited while this fires."
	return []Rule{{
		Alert:       AlertMediaCoreDown,
		Expr:        voiceUp + " == 0",
		For:         c.scale(2 * time.Minute),
		Labels:      withLabel(c.labels(SeverityPage), "condition", "down"),
		Annotations: c.annotations(AlertMediaCoreDown, "Media core {{ $labels.instance }} is down", downDesc),
	}, {
		Alert:       AlertMediaCoreDown,
		Expr:        fmt.Sprintf("absent(%s)", voiceUp),
		For:         c.scale(5 * time.Minute),
		Labels:      withLabel(c.labels(SeverityPage), "condition", "absent"),
		Annotations: c.annotations(AlertMediaCoreDown, "No media core target is scraped at all", downDesc),
	}, {
		Alert: AlertCloudWatchDrops,
		Expr: fmt.Sprintf("sum by (job) (increase(%s[%s])) > 0",
			selector(sidecarmetrics.MetricCloudWatchDropped, sidecar), c.scale(15*time.Minute)),
		Labels: c.labels(SeverityTicket),
		Annotations: c.annotations(AlertCloudWatchDrops,
			"The sidecar drops CloudWatch datums",
			"{{ $value | humanize }} datums were dropped by the sidecar's CloudWatch sink in the last 15m: CloudWatch dashboards and alarms see gaps."),
	}, {
		Alert:  AlertScrapeTargetDown,
		Expr:   selector(metricUp, ne("job", c.VoiceJob)) + " == 0",
		For:    c.scale(5 * time.Minute),
		Labels: withLabel(c.labels(SeverityTicket), "scraper", "prometheus"),
		Annotations: c.annotations(AlertScrapeTargetDown,
			"Prometheus cannot scrape {{ $labels.job }} ({{ $labels.instance }})",
			"The target {{ $labels.instance }} of job {{ $labels.job }} has been down for 5m; its metrics (for the sidecar: probes and CloudWatch health) are missing."),
	}, {
		Alert:  AlertScrapeTargetDown,
		Expr:   selector(sidecarmetrics.MetricScrapeUp, sidecar) + " == 0",
		For:    c.scale(5 * time.Minute),
		Labels: withLabel(c.labels(SeverityTicket), "scraper", "sidecar"),
		Annotations: c.annotations(AlertScrapeTargetDown,
			"The sidecar cannot scrape {{ $labels.target }}",
			"The sidecar has failed to scrape {{ $labels.target }} for 5m, so its metrics are missing from CloudWatch and OTLP."),
	}}
}

// DefaultRelayOnlyMinCalls is the default of Config.RelayOnlyMinCalls.
const DefaultRelayOnlyMinCalls = 5

// directMediaLost raises a ticket when every call of the last 30 minutes
// (at least RelayOnlyMinCalls) connected through a TURN relay, on either
// side, while calls connected directly in the day before: the incident's
// closed UDP port range, with TURN over TCP hiding it. Calls still connect,
// so nothing else fires; they cost relay bandwidth and added latency, and
// one TURN outage away from failing. A deployment whose callers all relay
// (no direct call in a day) never gets it. A peer-reflexive remote counts
// as direct.
func (c Config) directMediaLost() Rule {
	job := eq("job", c.VoiceJob)
	direct := selector(voicemetrics.MetricICESelectedPairs, job,
		ne(voicemetrics.LabelLocalType, voicemetrics.CandidateRelay), ne(voicemetrics.LabelRemoteType, voicemetrics.CandidateRelay))
	w30 := c.scale(30 * time.Minute)
	return Rule{
		Alert: AlertDirectMediaLost,
		Expr: fmt.Sprintf("sum by (job) (increase(%s[%s])) >= %d\nunless on (job)\nsum by (job) (increase(%s[%s])) > 0\nand on (job)\nsum by (job) (increase(%s[%s] offset %s)) > 0",
			selector(voicemetrics.MetricICESelectedPairs, job), w30, c.RelayOnlyMinCalls,
			direct, w30,
			direct, c.scale(24*time.Hour), w30),
		For:    c.scale(5 * time.Minute),
		Labels: c.labels(SeverityTicket),
		Annotations: c.annotations(AlertDirectMediaLost,
			"Every call connects through a TURN relay: direct media paths are lost",
			"All {{ $value | humanize }} calls that connected to job {{ $labels.job }} in the last 30m went through a TURN relay, while calls connected directly in the day before. The media core's UDP port range (security group, NACL, host firewall) or the callers' UDP is probably closed; calls still connect over the relay, with added latency and relay cost, and fail if the TURN server does."),
	}
}
