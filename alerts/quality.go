package alerts

import (
	"fmt"
	"time"

	"github.com/voicewatch/voicewatch/probes/probemetrics"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// Media-quality alerts. All three are tickets: they say quality is
// degrading or about to break, not that calls are failing now.
const (
	AlertMOSLow                  = "VoiceMOSLow"
	AlertProbePacketLoss         = "ProbePacketLossHigh"
	AlertProbeCertificateExpires = "ProbeCertificateExpiringSoon"
)

// Defaults of the quality alerts' Config fields.
const (
	DefaultMOSP10            = 3.5
	DefaultMOSMinSessions    = 10
	DefaultProbeLossRatio    = 0.05
	DefaultCertExpiryWarning = 14 * 24 * time.Hour
)

// qualityAlerts watch call quality (the E-model MOS at the end of each
// session), the network path the probes measure, and the certificates of
// turns: and https targets.
func (c Config) qualityAlerts() []Rule {
	job := eq("job", c.VoiceJob)
	sidecar := eq("job", c.SidecarJob)
	w30 := c.scale(30 * time.Minute)
	q := c.quality()
	return []Rule{{
		Alert: AlertMOSLow,
		// At least MOSMinSessions sessions in the window, so one bad call
		// on a quiet night does not raise a ticket.
		Expr: fmt.Sprintf("histogram_quantile(0.10, sum by (job, le) (rate(%s[%s]))) < %s\nand on (job)\nsum by (job) (increase(%s[%s])) >= %d",
			selector(voicemetrics.MetricSessionMOS+"_bucket", job), w30, num(q.mosP10),
			selector(voicemetrics.MetricSessionMOS+"_count", job), w30, q.minSessions),
		For:    c.scale(15 * time.Minute),
		Labels: c.labels(SeverityTicket),
		Annotations: c.annotations(AlertMOSLow,
			fmt.Sprintf("One call in ten scores a MOS below %s", num(q.mosP10)),
			fmt.Sprintf("The 10th percentile of the sessions' estimated MOS (ITU-T G.107 E-model from RTCP loss, jitter and RTT) is {{ $value | humanize }} over the last 30m (job {{ $labels.job }}; %s is fair, 4.41 a clean call). Callers hear choppy or delayed audio: look at voice_rtp_packets_lost_total and voice_rtt_seconds by direction.", num(q.mosP10))),
	}, {
		Alert:  AlertProbePacketLoss,
		Expr:   fmt.Sprintf("%s > %s", selector(probemetrics.MetricProbePacketLoss, sidecar), num(q.lossRatio)),
		For:    c.scale(10 * time.Minute),
		Labels: c.labels(SeverityTicket),
		Annotations: c.annotations(AlertProbePacketLoss,
			"{{ $labels.kind }} probe {{ $labels.probe }} loses {{ $value | humanizePercentage }} of its packets",
			fmt.Sprintf("Probe {{ $labels.probe }} against {{ $labels.target }} has lost more than %s of its packets (TURN relay echoes, or the bot's audio on a WebRTC probe call) on every run for 10m: calls on that path sound choppy. probe_rtt_seconds and probe_jitter_seconds show the rest of the path.", pct(q.lossRatio))),
	}, {
		Alert: AlertProbeCertificateExpires,
		Expr: fmt.Sprintf("%s - time() < %s", selector(probemetrics.MetricProbeCertExpiry, sidecar),
			num(q.certWarning.Seconds())),
		For:    c.scale(10 * time.Minute),
		Labels: c.labels(SeverityTicket),
		Annotations: c.annotations(AlertProbeCertificateExpires,
			"The certificate of {{ $labels.target }} expires in {{ $value | humanizeDuration }}",
			fmt.Sprintf("Probe {{ $labels.probe }} ({{ $labels.kind }}) sees a certificate in the chain of {{ $labels.target }} that expires in less than %s. When it expires, TURN over TLS (turns:) or the HTTPS endpoint stops working for every client.", days(q.certWarning))),
	}}
}

type qualityThresholds struct {
	mosP10      float64
	minSessions int
	lossRatio   float64
	certWarning time.Duration
}

// quality returns the thresholds (WithDefaults has filled them).
func (c Config) quality() qualityThresholds {
	return qualityThresholds{mosP10: c.MOSP10, minSessions: c.MOSMinSessions, lossRatio: c.ProbeLossRatio, certWarning: time.Duration(c.CertExpiryWarning)}
}

func pct(r float64) string { return fmt.Sprintf("%g %%", r*100) }

func days(d time.Duration) string { return fmt.Sprintf("%g days", d.Hours()/24) }
