package alerts

import (
	"fmt"
	"time"

	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// AlertScannerRequestsReachService fires when more scanner requests reach
// the media core than the incident's target allows: the edge (AWS WAF, see
// `agent waf`) should stop them before the service does.
const AlertScannerRequestsReachService = "VoiceScannerRequestsReachService"

// ScannerNoiseTarget is the incident report's target: fewer than 10
// malicious requests reaching the service per 2 hours.
const ScannerNoiseTarget = 10

// edgeAlerts watch the edge: what gets past the WAF. A ticket, never a
// page: scanners are rejected by the guard anyway, the ticket says the WAF
// needs a rule.
func (c Config) edgeAlerts() []Rule {
	job := eq("job", c.VoiceJob)
	return []Rule{{
		Alert: AlertScannerRequestsReachService,
		Expr: fmt.Sprintf("sum by (job) (increase(%s[%s])) > %d",
			selector(voicemetrics.MetricHTTPScannerRequests, job), c.scale(2*time.Hour), ScannerNoiseTarget),
		Labels: c.labels(SeverityTicket),
		Annotations: c.annotations(AlertScannerRequestsReachService,
			"Scanner requests get past the edge to the media core",
			fmt.Sprintf("More than %d scanner requests reached job {{ $labels.job }} in the last 2h (the target is fewer than %d): "+
				"the media core's guard rejected them, but the WAF in front of it should have. See which patterns in the Edge dashboard.",
				ScannerNoiseTarget, ScannerNoiseTarget)),
	}}
}
