package alerts

import (
	"fmt"
	"math"

	"github.com/voicewatch/voicewatch/exporter/cloudwatch/catalog"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// scannerAlarm is the CloudWatch twin of VoiceScannerRequestsReachService:
// more than ScannerNoiseTarget scanner requests reached the media core in 2
// hours. It reads voice_http_scanner_requests_total at the catalogue's
// roll-up (Service and Environment only: summed over patterns) with the
// catalogue's statistic.
// scannerStat is the catalogue's statistic of the scanner counter.
var scannerStat = func() string {
	m, _ := catalog.Lookup(voicemetrics.MetricHTTPScannerRequests)
	return m.Statistic
}()

func (c Config) scannerAlarm(desc func(string, string) string) Alarm {
	cw := c.CloudWatch
	return Alarm{Name: cw.AlarmPrefix + "ScannerRequestsReachService",
		Description: desc(fmt.Sprintf("More than %d scanner requests reached the media core in 2 hours: they got past the WAF. A ticket, not a page.", ScannerNoiseTarget),
			Runbook(AlertScannerRequestsReachService)),
		Namespace: cw.Namespace, MetricName: voicemetrics.MetricHTTPScannerRequests, Dimensions: c.ourDimensions(nil),
		Statistic: scannerStat,
		Period:    7200, EvaluationPeriods: 1, DatapointsToAlarm: 1, Threshold: ScannerNoiseTarget,
		Comparison: cmpGT, TreatMissingData: missingNotBreaching, MinThreshold: 0, MaxThreshold: math.MaxInt32}
}
