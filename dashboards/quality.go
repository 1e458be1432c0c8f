package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/units"

	"github.com/voicewatch/voicewatch/probes/probemetrics"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// This file is the overview's "Media quality" row: RTCP loss, jitter and
// RTT by direction, the sessions' E-model MOS, where each conversation
// exchange's latency goes, and barge-ins.

// The alerts' default thresholds, drawn as threshold lines (a test keeps
// them equal to package alerts' defaults): the VoiceMOSLow ticket's MOS
// p10 and the ProbePacketLossHigh ticket's loss ratio.
const (
	mosFair         = 3.5
	probeLossTicket = 0.05
)

func (g *Generator) mediaQuality(b *dashboard.DashboardBuilder) *dashboard.DashboardBuilder {
	s := sel{g.cfg}
	hist := s.voice
	mosBuckets := query("sum by (le) (increase("+s.voice(voicemetrics.MetricSessionMOS+"_bucket")+"["+macroRateWindow+"]))", "{{le}}").
		Format(prometheus.PromQueryFormatHeatmap)
	stageMean := func(stage string) *prometheus.DataqueryBuilder {
		sum := s.voice(voicemetrics.MetricTurnStage+"_sum", eq(voicemetrics.LabelStage, stage))
		count := s.voice(voicemetrics.MetricTurnStage+"_count", eq(voicemetrics.LabelStage, stage))
		return query(ratio(rate(sum), rate(count)), stage)
	}
	var stages []*prometheus.DataqueryBuilder
	for _, st := range voicemetrics.Stages {
		stages = append(stages, stageMean(st))
	}
	return b.WithRow(row("Media quality")).
		WithPanel(withThresholdLine(timeSeries("RTP packet loss", "Share of RTP packets lost, from RTCP receiver reports: in = the caller's audio as the media core received it, out = the bot's audio as callers reported it. Above 5 % calls sound choppy.", units.PercentUnit,
			query(ratio(rate(s.voice(voicemetrics.MetricRTPPacketsLost), voicemetrics.LabelDirection), rate(s.voice(voicemetrics.MetricRTPPackets), voicemetrics.LabelDirection)), "lost {{direction}}")).Min(0),
			badAbove(0.05))).
		WithPanel(timeSeries("RTP jitter", "Interarrival jitter (RFC 3550) per RTCP report, by direction.", units.Seconds,
			percentiles(hist, voicemetrics.MetricRTPJitter, voicemetrics.LabelDirection)...)).
		WithPanel(timeSeries("Round-trip time", "RTT from RTCP sender/receiver reports (LSR/DLSR).", units.Seconds,
			percentiles(hist, voicemetrics.MetricRTT)...)).
		WithPanel(withThresholdLine(timeSeries("Session MOS", "Estimated MOS per session at its end (ITU-T G.107 E-model from loss, jitter and RTT; 4.41 is a clean call). The dashed line is the VoiceMOSLow threshold for the 10th percentile.", units.Short,
			query(quantile(0.10, hist, voicemetrics.MetricSessionMOS), "p10"),
			query(quantile(0.5, hist, voicemetrics.MetricSessionMOS), "p50"),
			query(ratio(rate(s.voice(voicemetrics.MetricSessionMOS+"_sum")), rate(s.voice(voicemetrics.MetricSessionMOS+"_count"))), "mean")).Min(1).Max(4.5),
			goodAbove(mosFair))).
		WithPanel(timeSeries("MOS distribution", "Sessions ended per MOS bucket (upper bounds), stacked.", units.Short, mosBuckets).
			DrawStyle(common.GraphDrawStyleBars).FillOpacity(80).
			Stacking(common.NewStackingConfigBuilder().Mode(common.StackingModeNormal))).
		WithPanel(timeSeries("Barge-ins", "Times per second a caller spoke over the bot (audio.barge_in decides whether the bot stops).", units.OpsPerSecond,
			query(rate(s.voice(voicemetrics.MetricInterruptions)), "barge-ins"))).
		WithPanel(timeSeries("Where an exchange's latency goes", "Mean time per conversation exchange in each stage, stacked: the VAD's end-of-speech wait, STT final, dialog, TTS first byte, first RTP packet. The stack's height is the mean voice-to-voice latency.", units.Seconds,
			stages...).
			DrawStyle(common.GraphDrawStyleBars).FillOpacity(80).
			Stacking(common.NewStackingConfigBuilder().Mode(common.StackingModeNormal)).Span(24)).
		WithPanel(timeSeries("Probe RTT and jitter", "What the TURN probes (relay echoes) and WebRTC probes (their call's RTCP) measured on their last run.", units.Seconds,
			query("max by (probe) ("+s.probe(probemetrics.MetricProbeRTT)+")", "rtt {{probe}}"),
			query("max by (probe) ("+s.probe(probemetrics.MetricProbeJitter)+")", "jitter {{probe}}")).Span(12)).
		WithPanel(withThresholdLine(timeSeries("Probe packet loss", "Share of the probes' packets lost on their last run (TURN relay echoes, the bot's audio on a WebRTC probe call). ProbePacketLossHigh fires above the dashed line for 10 minutes.", units.PercentUnit,
			query("max by (probe) ("+s.probe(probemetrics.MetricProbePacketLoss)+")", "{{probe}}")).Min(0).Span(12),
			badAbove(probeLossTicket)))
}
