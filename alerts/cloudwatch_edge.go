package alerts

import (
	"fmt"
	"math"

	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// scannerAlarm is the CloudWatch twin of VoiceScannerRequestsReachService:
// more than ScannerNoiseTarget scanner requests reached the media core in 2
// hours. It reads voice_http_scanner_requests_total as the sidecar
// publishes it summed over patterns (no dimension). Kept in its own file so
// it moves as one piece onto the metric catalogue.
func (c Config) scannerAlarm(desc func(string, string) string) Alarm {
	cw := c.CloudWatch
	return Alarm{Name: cw.AlarmPrefix + "ScannerRequestsReachService",
		Description: desc(fmt.Sprintf("More than %d scanner requests reached the media core in 2 hours: they got past the WAF. A ticket, not a page.", ScannerNoiseTarget),
			Runbook(AlertScannerRequestsReachService)),
		Namespace: cw.Namespace, MetricName: voicemetrics.MetricHTTPScannerRequests, Statistic: "Sum",
		Period: 7200, EvaluationPeriods: 1, DatapointsToAlarm: 1, Threshold: ScannerNoiseTarget,
		Comparison: cmpGT, TreatMissingData: missingNotBreaching, MinThreshold: 0, MaxThreshold: math.MaxInt32}
}
