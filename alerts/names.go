package alerts

import "strings"

// Alert names. Alertmanager routes and inhibits by them, and each has a
// runbook in docs/runbooks/ (see [Runbook]).
const (
	AlertConnectionBudgetBurn = "VoiceConnectionErrorBudgetBurn"
	AlertCompletionBudgetBurn = "VoiceSessionCompletionErrorBudgetBurn"
	AlertProbeSTUNFailing     = "ProbeSTUNFailing"
	AlertProbeTURNFailing     = "ProbeTURNFailing"
	AlertProbeWebRTCFailing   = "ProbeWebRTCFailing"
	AlertICEGatheringSlow     = "VoiceICEGatheringSlow"
	AlertDirectMediaLost      = "VoiceDirectMediaLost"
	AlertTTSErrorRatioHigh    = "VoiceTTSErrorRatioHigh"
	AlertSTTErrorRatioHigh    = "VoiceSTTErrorRatioHigh"
	AlertTTSPolicyViolation   = "VoiceTTSPolicyViolation"
	AlertHTTPServerErrors     = "VoiceHTTPServerErrors"
	AlertMediaCoreDown        = "VoiceMediaCoreDown"
	AlertCloudWatchDrops      = "VoicewatchCloudWatchDrops"
	AlertScrapeTargetDown     = "ScrapeTargetDown"
)

// Severities (label severity).
const (
	SeverityPage   = "page"
	SeverityTicket = "ticket"
)

// Label names put on every alert.
const (
	LabelSeverity = "severity"
	LabelService  = "service"
)

// metricUp is Prometheus' own per-target health series (not exported by
// any voicewatch package).
const metricUp = "up"

// Recording rules of the SLOs, one per window; dashboards import these
// names (e.g. the error budget row reads the 3d ratio). The suffix is the
// nominal window: with a TimeScale above 1 the names stay, the windows shrink.
const (
	RecordConnectionErrorRatioPrefix = "voice:connection_errors:ratio_rate"
	RecordCompletionErrorRatioPrefix = "voice:session_failures:ratio_rate"
)

// SLOWindows are the nominal windows for which error-ratio recording rules
// exist (append one to a Record*Prefix to get a recording rule name).
var SLOWindows = []string{"5m", "30m", "1h", "6h", "3d"}

// Runbook returns the runbook file name (under docs/runbooks/) of an alert:
// its name in kebab case plus ".md".
func Runbook(alert string) string {
	alert = strings.NewReplacer("WebRTC", "Webrtc", "CloudWatch", "Cloudwatch").Replace(alert)
	out := make([]byte, 0, len(alert)+8)
	for i := 0; i < len(alert); i++ {
		ch := alert[i]
		upper := ch >= 'A' && ch <= 'Z'
		if upper && i > 0 {
			prevLower := alert[i-1] >= 'a' && alert[i-1] <= 'z'
			nextLower := i+1 < len(alert) && alert[i+1] >= 'a' && alert[i+1] <= 'z'
			prevUpper := alert[i-1] >= 'A' && alert[i-1] <= 'Z'
			if prevLower || (prevUpper && nextLower) {
				out = append(out, '-')
			}
		}
		if upper {
			ch += 'a' - 'A'
		}
		out = append(out, ch)
	}
	return string(out) + ".md"
}
