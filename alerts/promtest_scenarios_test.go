package alerts

import (
	"fmt"
	"time"

	"github.com/prometheus/common/model"
	"github.com/voicewatch/voicewatch/exporter/sidecarmetrics"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// scenarios returns the promtool scenarios by test file name.
func scenarios(cfg Config) map[string][]scenario {
	v := fmt.Sprintf(`job="%s",instance="%s"`, cfg.VoiceJob, voiceInstance)
	sc := fmt.Sprintf(`job="%s",instance="%s"`, cfg.SidecarJob, sidecarInstance)
	voiceJob := map[string]string{"job": cfg.VoiceJob}
	conn := func(result string) string {
		return fmt.Sprintf(`%s{%s,result="%s"}`, voicemetrics.MetricConnections, v, result)
	}
	ended := func(outcome string) string {
		return fmt.Sprintf(`%s{%s,outcome="%s"}`, voicemetrics.MetricSessionsEnded, v, outcome)
	}
	ratio := func(rec string, at time.Duration, want float64) promQLTest {
		return promQLTest{Expr: rec, EvalTime: model.Duration(at),
			ExpSamples: []expSample{{Labels: fmt.Sprintf(`%s{job="%s"}`, rec, cfg.VoiceJob), Value: want}}}
	}
	slo := func(alert, sev, value string) firing {
		return firing{alert: alert, severity: sev, labels: voiceJob, value: value}
	}
	connRec := RecordConnectionErrorRatioPrefix
	compRec := RecordCompletionErrorRatioPrefix

	mos := func(le string) string {
		return fmt.Sprintf(`%s_bucket{%s,le="%s"}`, voicemetrics.MetricSessionMOS, v, le)
	}
	mosCount := fmt.Sprintf(`%s_count{%s}`, voicemetrics.MetricSessionMOS, v)

	return map[string][]scenario{
		"quality_test.yml": {{
			name: "one call in five scores a MOS in (2.5, 3]: the 10th percentile (2.75) is below 3.5, a ticket",
			series: [][2]string{
				{mos("3"), rising(2)}, {mos("3.5"), rising(2)}, {mos("4.4"), rising(2)}, {mos("4.5"), rising(10)}, {mos("+Inf"), rising(10)}, {mosCount, rising(10)},
			},
			checks: []check{
				{at: 10 * time.Minute, quiet: []string{AlertMOSLow}},
				{at: 25 * time.Minute, firing: []firing{{alert: AlertMOSLow, severity: SeverityTicket, labels: voiceJob, value: "2.75"}}},
			},
		}, {
			name: "a single bad call on a quiet night (fewer than mos_min_sessions) does not raise a ticket",
			series: [][2]string{
				{mos("3"), fmt.Sprintf("0x10 1x%d", samples)}, {mos("3.5"), fmt.Sprintf("0x10 1x%d", samples)}, {mos("4.4"), fmt.Sprintf("0x10 1x%d", samples)},
				{mos("4.5"), fmt.Sprintf("0x10 1x%d", samples)}, {mos("+Inf"), fmt.Sprintf("0x10 1x%d", samples)}, {mosCount, fmt.Sprintf("0x10 1x%d", samples)},
			},
			checks: []check{{at: 20 * time.Minute, quiet: []string{AlertMOSLow}}, {at: 35 * time.Minute, quiet: []string{AlertMOSLow}}},
		}, {
			name:   "the TURN probe loses 20 % of its relay echoes for 10 minutes: a ticket",
			series: [][2]string{{probeMetricSeries(cfg, probemetrics.MetricProbePacketLoss, probemetrics.KindTURN), fmt.Sprintf("0x4 0.2x%d", samples)}},
			checks: []check{
				{at: 12 * time.Minute, quiet: []string{AlertProbePacketLoss}},
				{at: 16 * time.Minute, firing: []firing{{alert: AlertProbePacketLoss, severity: SeverityTicket, labels: probeLabels(cfg, probemetrics.KindTURN), value: "20%"}}},
			},
		}, {
			name:   "one lossy WebRTC probe run (a blip) and 4 % loss do not fire",
			series: [][2]string{{probeMetricSeries(cfg, probemetrics.MetricProbePacketLoss, probemetrics.KindWebRTC), fmt.Sprintf("0x4 0.5 0.04x%d", samples)}},
			checks: []check{{at: 6 * time.Minute, quiet: []string{AlertProbePacketLoss}}, {at: 30 * time.Minute, quiet: []string{AlertProbePacketLoss}}},
		}, {
			name:   "the turns: certificate expires in 10 days: a ticket",
			series: [][2]string{{probeMetricSeries(cfg, probemetrics.MetricProbeCertExpiry, probemetrics.KindTURN), flat(10 * 86400)}},
			checks: []check{
				{at: 5 * time.Minute, quiet: []string{AlertProbeCertificateExpires}},
				{at: 15 * time.Minute, firing: []firing{{alert: AlertProbeCertificateExpires, severity: SeverityTicket, labels: probeLabels(cfg, probemetrics.KindTURN), value: "9d 23h 45m 0s"}}},
			},
		}},
		"quiet_test.yml": {{
			name:   "healthy traffic: nothing fires and the error ratios are 0, not absent",
			checks: []check{{at: 10 * time.Minute}, {at: time.Hour}, {at: 7 * time.Hour}},
			exprs:  []promQLTest{ratio(connRec+"5m", 30*time.Minute, 0), ratio(compRec+"3d", 30*time.Minute, 0)},
		}, {
			name: "scanner flood: scanner, rejected and rate-limited counters soar, legitimate traffic is healthy: only the edge ticket fires, never a page",
			series: [][2]string{
				{fmt.Sprintf(`%s{%s,pattern="weblogic_console"}`, voicemetrics.MetricHTTPScannerRequests, v), rising(1000)},
				{fmt.Sprintf(`%s{%s,pattern="cgi_sendmail"}`, voicemetrics.MetricHTTPScannerRequests, v), rising(500)},
				{fmt.Sprintf(`%s{%s,pattern="invalid_method"}`, voicemetrics.MetricHTTPScannerRequests, v), rising(500)},
				{fmt.Sprintf(`%s{%s,reason="body_too_large"}`, voicemetrics.MetricHTTPRejected, v), rising(200)},
				{fmt.Sprintf(`%s{%s}`, voicemetrics.MetricHTTPRateLimited, v), rising(300)},
				{fmt.Sprintf(`%s{%s,pattern="weblogic_console"}`, sidecarmetrics.MetricLogScannerRequests, sc), rising(1000)},
			},
			checks: []check{
				{at: 10 * time.Minute, firing: []firing{{alert: AlertScannerRequestsReachService, severity: SeverityTicket, labels: voiceJob}}},
				{at: 7 * time.Hour, firing: []firing{{alert: AlertScannerRequestsReachService, severity: SeverityTicket, labels: voiceJob}}},
			},
		}, {
			name: "the incident's 141 scanner requests in 2 h reach the service: a ticket",
			series: [][2]string{
				{fmt.Sprintf(`%s{%s,pattern="weblogic"}`, voicemetrics.MetricHTTPScannerRequests, v), fmt.Sprintf("0+1.2x%d", samples)},
			},
			checks: []check{{at: 3 * time.Hour, firing: []firing{{alert: AlertScannerRequestsReachService, severity: SeverityTicket, labels: voiceJob}}}},
		}, {
			name: "within the target: 9 scanner requests in 2 h are quiet",
			series: [][2]string{
				{fmt.Sprintf(`%s{%s,pattern="scanner_agent"}`, voicemetrics.MetricHTTPScannerRequests, v), fmt.Sprintf("0+0.07x%d", samples)},
			},
			checks: []check{{at: 3 * time.Hour}, {at: 7 * time.Hour}},
		}, {
			name: "one failed probe run of each kind (a blip) does not fire",
			series: [][2]string{
				{probeSeries(cfg, probemetrics.KindSTUN), fmt.Sprintf("1x5 0 1x%d", samples)},
				{probeSeries(cfg, probemetrics.KindTURN), fmt.Sprintf("1x10 0 1x%d", samples)},
				{probeSeries(cfg, probemetrics.KindWebRTC), fmt.Sprintf("1x15 0 1x%d", samples)},
			},
			checks: []check{{at: 6 * time.Minute}, {at: 9 * time.Minute}, {at: 12 * time.Minute}, {at: 17 * time.Minute}, {at: 20 * time.Minute}},
		}},
		"slo_test.yml": {{
			name:   "half the connection attempts time out: fast burn pages, and the ticket fires too (Alertmanager inhibits it)",
			series: [][2]string{{conn(voicemetrics.ConnectionTimeout), rising(20)}},
			checks: []check{{at: 10 * time.Minute, quiet: []string{AlertCompletionBudgetBurn}, firing: []firing{
				slo(AlertConnectionBudgetBurn, SeverityPage, "50%"), slo(AlertConnectionBudgetBurn, SeverityTicket, "50%")}}},
			exprs: []promQLTest{ratio(connRec+"5m", 10*time.Minute, 0.5)},
		}, {
			name:   "10% connection errors: only the 6x (6h and 30m) page fires, not the 14.4x one",
			series: [][2]string{{conn(voicemetrics.ConnectionConnected), rising(9)}, {conn(voicemetrics.ConnectionFailed), rising(1)}},
			checks: []check{{at: time.Hour, firing: []firing{
				slo(AlertConnectionBudgetBurn, SeverityPage, "10%"), slo(AlertConnectionBudgetBurn, SeverityTicket, "10%")}}},
		}, {
			name:   "2% connection errors for hours: a ticket, never a page",
			series: [][2]string{{conn(voicemetrics.ConnectionConnected), rising(49)}, {conn(voicemetrics.ConnectionFailed), rising(1)}},
			checks: []check{
				{at: 7 * time.Hour, firing: []firing{slo(AlertConnectionBudgetBurn, SeverityTicket, "2%")}},
			},
		}, {
			name:   "0.5% connection errors are within the 99% objective: quiet",
			series: [][2]string{{conn(voicemetrics.ConnectionConnected), rising(199)}, {conn(voicemetrics.ConnectionFailed), rising(1)}},
			checks: []check{{at: 7 * time.Hour, quiet: []string{AlertConnectionBudgetBurn}}},
			exprs:  []promQLTest{ratio(connRec+"6h", 7*time.Hour, 0.005)},
		}, {
			name:   "70% of sessions abandoned: the completion SLO pages (14.4x is unreachable at 90%, 6x fires)",
			series: [][2]string{{ended(voicemetrics.OutcomeCompleted), rising(3)}, {ended(voicemetrics.OutcomeAbandoned), rising(7)}},
			checks: []check{{at: time.Hour, firing: []firing{
				slo(AlertCompletionBudgetBurn, SeverityPage, "70%"), slo(AlertCompletionBudgetBurn, SeverityTicket, "70%")}}},
		}, {
			name:   "sessions rejected at the cap do not burn the completion budget",
			series: [][2]string{{ended(voicemetrics.OutcomeRejected), rising(50)}},
			checks: []check{{at: 7 * time.Hour, quiet: []string{AlertCompletionBudgetBurn}}},
			exprs:  []promQLTest{ratio(compRec+"1h", 7*time.Hour, 0)},
		}},
		"symptoms_test.yml": {{
			name: "probes failing for longer than probe_for fire, per kind",
			series: [][2]string{
				{probeSeries(cfg, probemetrics.KindSTUN), fmt.Sprintf("1x4 0x%d", samples)},
				{probeSeries(cfg, probemetrics.KindTURN), fmt.Sprintf("1x4 0x%d", samples)},
				{probeSeries(cfg, probemetrics.KindWebRTC), fmt.Sprintf("1x4 0x%d", samples)},
			},
			checks: []check{
				{at: 7 * time.Minute, quiet: []string{AlertProbeSTUNFailing, AlertProbeTURNFailing, AlertProbeWebRTCFailing}},
				{at: 9 * time.Minute, firing: []firing{
					{alert: AlertProbeSTUNFailing, severity: SeverityTicket, labels: probeLabels(cfg, probemetrics.KindSTUN)},
					{alert: AlertProbeTURNFailing, severity: SeverityPage, labels: probeLabels(cfg, probemetrics.KindTURN)},
					{alert: AlertProbeWebRTCFailing, severity: SeverityPage, labels: probeLabels(cfg, probemetrics.KindWebRTC)},
				}},
			},
		}, {
			name: "ICE gathering takes 3-5 s: p95 above 3 s raises a ticket",
			series: [][2]string{
				{fmt.Sprintf(`%s_bucket{%s,le="0.5"}`, voicemetrics.MetricICEGatheringDuration, v), flat(0)},
				{fmt.Sprintf(`%s_bucket{%s,le="1"}`, voicemetrics.MetricICEGatheringDuration, v), flat(0)},
				{fmt.Sprintf(`%s_bucket{%s,le="3"}`, voicemetrics.MetricICEGatheringDuration, v), flat(0)},
			},
			checks: []check{
				{at: 8 * time.Minute, quiet: []string{AlertICEGatheringSlow}},
				{at: 15 * time.Minute, firing: []firing{{alert: AlertICEGatheringSlow, severity: SeverityTicket, labels: voiceJob, value: "4.9s"}}},
			},
		}, {
			// A day of direct calls, then the media core's UDP closes: from
			// minute 1440 every call comes through the relay (20 a minute).
			name: "every call relayed for 30 minutes after a day of direct calls: a ticket",
			series: [][2]string{
				{selectedPairSeries(cfg, voicemetrics.CandidateHost, voicemetrics.CandidateSrflx), "0+15x1440 21600x120"},
				{selectedPairSeries(cfg, voicemetrics.CandidateHost, voicemetrics.CandidateRelay), "0+5x1440 7200+20x120"},
				{fmt.Sprintf(`%s{%s}`, metricUp, v), "1x1560"}, // scraped all along
			},
			checks: []check{
				{at: 1440 * time.Minute, quiet: []string{AlertDirectMediaLost}},
				{at: (1440 + 30) * time.Minute, quiet: []string{AlertDirectMediaLost}}, // a direct call is still in the window
				{at: (1440 + 40) * time.Minute, firing: []firing{{alert: AlertDirectMediaLost, severity: SeverityTicket, labels: voiceJob, value: "600"}}},
			},
		}, {
			// The direct series exists (calls connected directly long ago) but
			// does not grow.
			name: "callers who all relay (no direct call in the day before) raise no ticket",
			series: [][2]string{
				{selectedPairSeries(cfg, voicemetrics.CandidateHost, voicemetrics.CandidateSrflx), flat(300)},
				{selectedPairSeries(cfg, voicemetrics.CandidateHost, voicemetrics.CandidateRelay), rising(20)},
			},
			checks: []check{{at: 60 * time.Minute, quiet: []string{AlertDirectMediaLost}}, {at: 300 * time.Minute, quiet: []string{AlertDirectMediaLost}}},
		}, {
			name: "fewer relayed calls than relay_only_min_calls in 30 minutes raise no ticket",
			series: [][2]string{
				{selectedPairSeries(cfg, voicemetrics.CandidateHost, voicemetrics.CandidateSrflx), "0+15x100 1500x350"},
				{selectedPairSeries(cfg, voicemetrics.CandidateHost, voicemetrics.CandidateRelay), "0+5x100 500+0.1x350"},
			},
			checks: []check{{at: 200 * time.Minute, quiet: []string{AlertDirectMediaLost}}, {at: 400 * time.Minute, quiet: []string{AlertDirectMediaLost}}},
		}, {
			name:   "half the TTS requests fail: page per provider",
			series: [][2]string{{fmt.Sprintf(`%s{%s,provider="elevenlabs",reason="%s"}`, voicemetrics.MetricTTSErrors, v, voicemetrics.ReasonOther), rising(15)}},
			checks: []check{{at: 10 * time.Minute, firing: []firing{{alert: AlertTTSErrorRatioHigh, severity: SeverityPage,
				labels: map[string]string{"job": cfg.VoiceJob, "provider": "elevenlabs"}, value: "50%"}}}},
		}, {
			name:   "6 TTS policy violations (voice_settings after the first message): a ticket, not a page",
			series: [][2]string{{fmt.Sprintf(`%s{%s,provider="elevenlabs",reason="%s"}`, voicemetrics.MetricTTSErrors, v, voicemetrics.ReasonPolicyViolation), fmt.Sprintf("0x10 6x%d", samples)}},
			checks: []check{
				{at: 40 * time.Minute, quiet: []string{AlertTTSErrorRatioHigh}, firing: []firing{{alert: AlertTTSPolicyViolation, severity: SeverityTicket,
					labels: map[string]string{"job": cfg.VoiceJob, "provider": "elevenlabs"}, value: "6"}}},
				{at: 50 * time.Minute, quiet: []string{AlertTTSPolicyViolation, AlertTTSErrorRatioHigh}},
			},
		}, {
			name:   "STT silence timeouts (15 s without speech) are not provider errors",
			series: [][2]string{{fmt.Sprintf(`%s{%s,provider="transcribe",reason="%s"}`, voicemetrics.MetricSTTErrors, v, voicemetrics.ReasonTimeout), rising(15)}},
			checks: []check{{at: 30 * time.Minute, quiet: []string{AlertSTTErrorRatioHigh}}},
		}, {
			name:   "half the STT requests fail on the network: page per provider",
			series: [][2]string{{fmt.Sprintf(`%s{%s,provider="transcribe",reason="%s"}`, voicemetrics.MetricSTTErrors, v, voicemetrics.ReasonNetwork), rising(15)}},
			checks: []check{{at: 10 * time.Minute, firing: []firing{{alert: AlertSTTErrorRatioHigh, severity: SeverityPage,
				labels: map[string]string{"job": cfg.VoiceJob, "provider": "transcribe"}, value: "50%"}}}},
		}, {
			name:   "a quarter of legitimate requests end in 5xx: ticket",
			series: [][2]string{{fmt.Sprintf(`%s{%s,route="/whip",code="500"}`, voicemetrics.MetricHTTPRequests, v), rising(5)}, {fmt.Sprintf(`%s{%s,route="/whip",code="201"}`, voicemetrics.MetricHTTPRequests, v), rising(15)}},
			checks: []check{{at: 15 * time.Minute, firing: []firing{{alert: AlertHTTPServerErrors, severity: SeverityTicket, labels: voiceJob, value: "25%"}}}},
		}},
		"health_test.yml": {{
			name:   "media core target down for 2m pages",
			series: [][2]string{{fmt.Sprintf(`%s{%s}`, metricUp, v), fmt.Sprintf("1x3 0x%d", samples)}},
			checks: []check{
				{at: 4 * time.Minute, quiet: []string{AlertMediaCoreDown}},
				{at: 7 * time.Minute, firing: []firing{{alert: AlertMediaCoreDown, severity: SeverityPage, exprHint: "== 0",
					labels: map[string]string{"job": cfg.VoiceJob, "instance": voiceInstance}}}},
			},
		}, {
			name: "no media core target at all (absent) pages after 5m",
			drop: []string{fmt.Sprintf(`%s{%s}`, metricUp, v)},
			checks: []check{
				{at: 4 * time.Minute, quiet: []string{AlertMediaCoreDown}},
				{at: 7 * time.Minute, firing: []firing{{alert: AlertMediaCoreDown, severity: SeverityPage, exprHint: "absent", labels: voiceJob}}},
			},
		}, {
			name:   "the sidecar drops CloudWatch datums: ticket",
			series: [][2]string{{fmt.Sprintf(`%s{%s}`, sidecarmetrics.MetricCloudWatchDropped, sc), fmt.Sprintf("0x10 5x%d", samples)}},
			checks: []check{{at: 20 * time.Minute, firing: []firing{{alert: AlertCloudWatchDrops, severity: SeverityTicket,
				labels: map[string]string{"job": cfg.SidecarJob}, value: "5"}}}},
		}, {
			name: "the sidecar target and the sidecar's own scrape of the media core are down: tickets",
			series: [][2]string{
				{fmt.Sprintf(`%s{%s}`, metricUp, sc), fmt.Sprintf("1x2 0x%d", samples)},
				{fmt.Sprintf(`%s{%s,target="%s"}`, sidecarmetrics.MetricScrapeUp, sc, voiceInstance), flat(0)},
			},
			checks: []check{{at: 9 * time.Minute, firing: []firing{
				{alert: AlertScrapeTargetDown, severity: SeverityTicket, exprHint: metricUp + "{",
					labels: map[string]string{"job": cfg.SidecarJob, "instance": sidecarInstance}},
				{alert: AlertScrapeTargetDown, severity: SeverityTicket, exprHint: sidecarmetrics.MetricScrapeUp,
					labels: map[string]string{"job": cfg.SidecarJob, "instance": sidecarInstance, "target": voiceInstance}},
			}}},
		}},
	}
}
