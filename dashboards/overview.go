package dashboards

import (
	"math"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/units"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// This file is the "Voice agent overview" dashboard: the SLO row, sessions,
// WebRTC connections and ICE, the speech pipeline, storage and clients.

// connectionSuccess is the share of connection attempts that connected.
func (s sel) connectionSuccess(window string) string {
	return ratio(
		increase(s.voice(voicemetrics.MetricConnections, eq(voicemetrics.LabelResult, voicemetrics.ConnectionConnected)), window),
		increase(s.voice(voicemetrics.MetricConnections), window))
}

// completion is the share of ended sessions that completed. Sessions refused
// at the capacity cap (outcome="rejected") never started a conversation and
// are shown on their own panel, not counted here.
func (s sel) completion(window string) string {
	return ratio(
		increase(s.voice(voicemetrics.MetricSessionsEnded, eq(voicemetrics.LabelOutcome, voicemetrics.OutcomeCompleted)), window),
		increase(s.voice(voicemetrics.MetricSessionsEnded, ne(voicemetrics.LabelOutcome, voicemetrics.OutcomeRejected)), window))
}

func (g *Generator) overview(b *dashboard.DashboardBuilder) *dashboard.DashboardBuilder {
	s := sel{g.cfg}
	c := g.cfg
	w := c.SLOWindow
	iceTarget := c.ICEGatheringTarget.Seconds()
	hist := s.voice

	b = b.WithRow(row("Service level (window " + w + ")")).
		WithPanel(statPanel("Connection success", "Share of WebRTC connection attempts that connected, over the SLO window. Target "+pct(c.ConnectionSuccessTarget)+", objective "+pct(c.ConnectionObjective)+".",
			units.PercentUnit, thresholds(base("red"), at(c.ConnectionSuccessTarget, "orange"), at(c.ConnectionObjective, "green")),
			instant(s.connectionSuccess(w), "success")).Decimals(2)).
		WithPanel(statPanel("Connection error budget left", "Share of the connection success error budget ("+pct(c.ConnectionObjective)+" objective) not yet spent in the SLO window. Below 0: the SLO is missed.",
			units.PercentUnit, thresholds(base("red"), at(0, "orange"), at(0.25, "green")),
			instant(budgetRemaining(s.connectionSuccess(w), c.ConnectionObjective), "budget")).Decimals(1)).
		WithPanel(statPanel("Session completion", "Share of ended sessions that completed (capacity rejections excluded), over the SLO window. Target "+pct(c.CompletionTarget)+".",
			units.PercentUnit, goodAbove(c.CompletionTarget),
			instant(s.completion(w), "completion")).Decimals(1)).
		WithPanel(statPanel("Completion error budget left", "Share of the session completion error budget ("+pct(c.CompletionObjective)+" objective) not yet spent in the SLO window.",
			units.PercentUnit, thresholds(base("red"), at(0, "orange"), at(0.25, "green")),
			instant(budgetRemaining(s.completion(w), c.CompletionObjective), "budget")).Decimals(1)).
		WithPanel(statPanel("ICE gathering p95", "95th percentile of ICE gathering time over the dashboard range. Target below "+c.ICEGatheringTarget.String()+".",
			units.Seconds, badAbove(iceTarget),
			instant("histogram_quantile(0.95, "+increase(hist(voicemetrics.MetricICEGatheringDuration+"_bucket"), macroRange, "le")+")", "p95")).Decimals(2)).
		WithPanel(statPanel("Active sessions", "Sessions in progress now.", units.Short, neutral(),
			instant("sum("+s.voice(voicemetrics.MetricSessionsActive)+")", "active")))

	b = b.WithRow(row("Sessions")).
		WithPanel(timeSeries("Sessions started vs ended", "Sessions started, and sessions ended by outcome, per second.", units.OpsPerSecond,
			query(rate(s.voice(voicemetrics.MetricSessionsStarted)), "started"),
			query(rate(s.voice(voicemetrics.MetricSessionsEnded), voicemetrics.LabelOutcome), "ended {{outcome}}"))).
		WithPanel(ratioSeries("Session completion rate", "Completed / ended sessions (capacity rejections excluded). Target "+pct(c.CompletionTarget)+".", c.CompletionTarget,
			query(s.completion(macroRateWindow), "completion"))).
		WithPanel(timeSeries("Active sessions", "Sessions in progress, and sessions refused at the capacity cap per second.", units.Short,
			query("sum("+s.voice(voicemetrics.MetricSessionsActive)+")", "active"),
			query(rate(s.voice(voicemetrics.MetricSessionsEnded, eq(voicemetrics.LabelOutcome, voicemetrics.OutcomeRejected))), "rejected at cap /s"))).
		WithPanel(timeSeries("Session duration", "Session duration percentiles by outcome.", units.Seconds,
			percentiles(hist, voicemetrics.MetricSessionDuration, voicemetrics.LabelOutcome)...).Span(24))

	b = b.WithRow(row("WebRTC connections and ICE")).
		WithPanel(ratioSeries("Connection success rate", "Connected / all connection attempts. Target "+pct(c.ConnectionSuccessTarget)+".", c.ConnectionSuccessTarget,
			query(s.connectionSuccess(macroRateWindow), "success"))).
		WithPanel(timeSeries("Connection attempts by result", "Connection attempts per second: connected, failed, timed out.", units.OpsPerSecond,
			query(rate(s.voice(voicemetrics.MetricConnections), voicemetrics.LabelResult), "{{result}}"))).
		WithPanel(timeSeries("Connection setup time", "From the offer to the connected state.", units.Seconds,
			percentiles(hist, voicemetrics.MetricConnectionSetup)...)).
		WithPanel(withThresholdLine(timeSeries("ICE gathering time", "ICE candidate gathering time. Target below "+c.ICEGatheringTarget.String()+"; gathering is cut at the configured timeout.", units.Seconds,
			percentiles(hist, voicemetrics.MetricICEGatheringDuration)...), badAbove(iceTarget))).
		WithPanel(timeSeries("ICE gathering timeouts", "Gatherings cut by the ICE gathering timeout, per second.", units.OpsPerSecond,
			query(rate(s.voice(voicemetrics.MetricICEGatheringTimeouts)), "timeouts"))).
		WithPanel(timeSeries("Candidate types in use", "Selected candidate pairs by local and remote type (host, srflx, relay) and protocol, per second. Relay means TURN carried the call.", units.OpsPerSecond,
			query(rate(s.voice(voicemetrics.MetricICESelectedPairs), voicemetrics.LabelLocalType, voicemetrics.LabelRemoteType, voicemetrics.LabelProtocol), "{{local_type}} → {{remote_type}} ({{protocol}})"))).
		WithPanel(timeSeries("ICE restarts", "ICE restarts by result, per second.", units.OpsPerSecond,
			query(rate(s.voice(voicemetrics.MetricICERestarts), voicemetrics.LabelResult), "{{result}}"))).
		WithPanel(timeSeries("Connection state changes", "Peer connection state transitions by new state, per second.", units.OpsPerSecond,
			query(rate(s.voice(voicemetrics.MetricConnectionStateChanges), voicemetrics.LabelState), "{{state}}")).Span(16))

	b = b.WithRow(row("Speech pipeline")).
		WithPanel(timeSeries("STT errors", "Speech-to-text errors by provider and reason, per second. reason=timeout is user silence, not a provider failure.", units.OpsPerSecond,
			query(rate(s.voice(voicemetrics.MetricSTTErrors), voicemetrics.LabelProvider, voicemetrics.LabelReason), "{{provider}} {{reason}}"))).
		WithPanel(timeSeries("TTS errors", "Text-to-speech errors by provider and reason, per second. policy_violation is a configuration bug (e.g. voice_settings outside the first message).", units.OpsPerSecond,
			query(rate(s.voice(voicemetrics.MetricTTSErrors), voicemetrics.LabelProvider, voicemetrics.LabelReason), "{{provider}} {{reason}}"))).
		WithPanel(withThresholdLine(timeSeries("Provider error ratio", "Errors / requests per provider. STT silence timeouts are excluded.", units.PercentUnit,
			query(ratio(rate(s.voice(voicemetrics.MetricSTTErrors, ne(voicemetrics.LabelReason, voicemetrics.ReasonTimeout)), voicemetrics.LabelProvider), rate(s.voice(voicemetrics.MetricSTTRequests), voicemetrics.LabelProvider)), "stt {{provider}}"),
			query(ratio(rate(s.voice(voicemetrics.MetricTTSErrors), voicemetrics.LabelProvider), rate(s.voice(voicemetrics.MetricTTSRequests), voicemetrics.LabelProvider)), "tts {{provider}}")).Min(0),
			badAbove(0.05))).
		WithPanel(timeSeries("TTS time to first byte", "From the TTS request to its first audio byte, by provider.", units.Seconds,
			percentiles(hist, voicemetrics.MetricTTSFirstByte, voicemetrics.LabelProvider)...).Span(12)).
		WithPanel(timeSeries("Voice-to-voice latency", "From the end of user speech to the first bot audio.", units.Seconds,
			percentiles(hist, voicemetrics.MetricResponseLatency)...).Span(12))

	b = g.mediaQuality(b)

	return b.WithRow(row("Storage, clients and media")).
		WithPanel(timeSeries("Store writes", "Session store writes by result, per second.", units.OpsPerSecond,
			query(rate(s.voice(voicemetrics.MetricStoreWrites), voicemetrics.LabelResult), "{{result}}")).Span(6)).
		WithPanel(timeSeries("WebSocket connections", "Browser event WebSockets open, and opened per second.", units.Short,
			query("sum("+s.voice(voicemetrics.MetricWebSocketActive)+")", "open"),
			query(rate(s.voice(voicemetrics.MetricWebSocketConnections)), "opened /s")).Span(6)).
		WithPanel(timeSeries("RTP throughput", "RTP bytes per second by direction.", units.BytesPerSecondSI,
			query(rate(s.voice(voicemetrics.MetricRTPBytes), voicemetrics.LabelDirection), "{{direction}}")).Span(6)).
		WithPanel(timeSeries("Media core up", "Whether Prometheus can scrape each media core instance.", units.Short,
			query("min by (instance) ("+s.voice(MetricUp)+")", "{{instance}}")).Min(0).Max(1).Span(6))
}

// pct formats a ratio as a percentage for panel descriptions.
func pct(r float64) string { return num(math.Round(r*10000)/100) + " %" }
