package alerts

import (
	"fmt"
	"maps"
	"math"

	"github.com/voicewatch/voicewatch/exporter/cloudwatch/catalog"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// Runbooks of the AWS infrastructure alarms (sections of one page).
const runbookAWS = "aws-infrastructure.md"

// alarms returns the incident's 15 alarms followed by the alarms on
// voicewatch's own metrics (connection success via metric math, probes).
func (c Config) alarms() []Alarm {
	cw := c.CloudWatch
	big := math.MaxInt32 * 1.0
	desc := func(text, runbook string) string {
		return text + " Runbook: " + c.RunbookBaseURL + runbook
	}
	// logAlarm alarms on a log-derived count over 5 minutes.
	logAlarm := func(name, metric string, threshold float64, text, runbook string) Alarm {
		return Alarm{Name: cw.AlarmPrefix + name, Description: desc(text, runbook),
			Namespace: cw.LogNamespace, MetricName: metric, Statistic: "Sum",
			Period: 300, EvaluationPeriods: 1, DatapointsToAlarm: 1, Threshold: threshold,
			Comparison: cmpGE, TreatMissingData: missingNotBreaching, MinThreshold: 1, MaxThreshold: big}
	}
	tasks := func(name, service string, min float64) Alarm {
		return Alarm{Name: cw.AlarmPrefix + name,
			Description: desc(fmt.Sprintf("ECS service %s runs fewer than %v tasks.", service, min), runbookAWS+"#ecs-running-tasks"),
			Namespace:   "ECS/ContainerInsights", MetricName: "RunningTaskCount",
			Dimensions: map[string]string{"ClusterName": cw.ECSCluster, "ServiceName": service},
			Statistic:  "Minimum", Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 3, Threshold: min,
			Comparison: cmpLT, TreatMissingData: missingBreaching, MinThreshold: 1, MaxThreshold: 1000}
	}
	unhealthy := func(name, tg string) Alarm {
		return Alarm{Name: cw.AlarmPrefix + name,
			Description: desc("The ALB reports unhealthy targets in "+tg+".", runbookAWS+"#unhealthy-targets"),
			Namespace:   "AWS/ApplicationELB", MetricName: "UnHealthyHostCount",
			Dimensions: map[string]string{"LoadBalancer": cw.LoadBalancer, "TargetGroup": tg},
			Statistic:  "Maximum", Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 0,
			Comparison: cmpGT, TreatMissingData: missingNotBreaching, MinThreshold: 0, MaxThreshold: 1000}
	}
	count := func(name, ns, metric string, dims map[string]string, threshold float64, text, runbook string) Alarm {
		return Alarm{Name: cw.AlarmPrefix + name, Description: desc(text, runbook),
			Namespace: ns, MetricName: metric, Dimensions: dims, Statistic: "Sum",
			Period: 300, EvaluationPeriods: 1, DatapointsToAlarm: 1, Threshold: threshold,
			Comparison: cmpGT, TreatMissingData: missingNotBreaching, MinThreshold: 0, MaxThreshold: big}
	}
	rate := func(name, metric string, threshold float64, text string) Alarm {
		return Alarm{Name: cw.AlarmPrefix + name, Description: desc(text+" CloudFront metrics exist in us-east-1 only.", runbookAWS+"#cloudfront-error-rates"),
			Namespace: "AWS/CloudFront", MetricName: metric,
			Dimensions: map[string]string{"DistributionId": cw.CloudFrontDistribution, "Region": "Global"},
			Statistic:  "Average", Period: 300, EvaluationPeriods: 2, DatapointsToAlarm: 2, Threshold: threshold,
			Comparison: cmpGT, TreatMissingData: missingNotBreaching, MinThreshold: 0, MaxThreshold: 100}
	}
	alb := map[string]string{"LoadBalancer": cw.LoadBalancer}
	table := map[string]string{"TableName": cw.DynamoDBTable}
	out := []Alarm{
		logAlarm("WebRTCConnectionTimeouts", LogMetricConnectionTimeouts, 3, "WebRTC connections time out (ICE timeout or connection failed).", Runbook(AlertConnectionBudgetBurn)),
		logAlarm("ElevenLabsTTSErrors", LogMetricTTSErrors, 3, "ElevenLabs text-to-speech requests fail.", Runbook(AlertTTSErrorRatioHigh)),
		logAlarm("TranscribeErrors", LogMetricSTTErrors, 5, "AWS Transcribe streaming requests fail (silence timeouts excluded).", Runbook(AlertSTTErrorRatioHigh)),
		logAlarm("CriticalApplicationErrors", LogMetricCriticalErrors, 1, "The voice agent logs errors.", runbookAWS+"#critical-application-errors"),
		logAlarm("BrowserServiceFailures", LogMetricBrowserErrors, 5, "The browser service logs errors.", runbookAWS+"#browser-service-failures"),
		tasks("VoiceServiceTaskCount", cw.VoiceService, cw.VoiceMinTasks),
		tasks("BrowserServiceTaskCount", cw.BrowserService, 1),
		unhealthy("VoiceUnhealthyTargets", cw.VoiceTargetGroup),
		unhealthy("BrowserUnhealthyTargets", cw.BrowserTargetGroup),
		count("ALBELB5XX", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", alb, 10, "The ALB itself answers 5xx (no healthy target, or targets time out).", runbookAWS+"#alb-5xx"),
		count("ALBTarget5XX", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", alb, 10, "Targets behind the ALB answer 5xx.", runbookAWS+"#alb-5xx"),
		rate("CloudFront5XXRate", "5xxErrorRate", 5, "More than 5% of CloudFront requests end in 5xx."),
		// Scanners produce 4xx at the edge: keep this threshold high or put a
		// WAF in front (see the runbook).
		rate("CloudFront4XXRate", "4xxErrorRate", 25, "More than 25% of CloudFront requests end in 4xx."),
		count("DynamoDBReadThrottles", "AWS/DynamoDB", "ReadThrottleEvents", table, 0, "DynamoDB throttles reads of the session table.", runbookAWS+"#dynamodb-throttles"),
		count("DynamoDBWriteThrottles", "AWS/DynamoDB", "WriteThrottleEvents", table, 0, "DynamoDB throttles writes of the session table: sessions may not be saved.", runbookAWS+"#dynamodb-throttles"),
	}
	out = append(out, c.connectionSuccessAlarm(desc))
	out = append(out, c.scannerAlarm(desc))
	for _, p := range []struct{ name, kind, alert string }{
		{"ProbeSTUNFailing", probemetrics.KindSTUN, AlertProbeSTUNFailing},
		{"ProbeTURNFailing", probemetrics.KindTURN, AlertProbeTURNFailing},
		{"ProbeWebRTCFailing", probemetrics.KindWebRTC, AlertProbeWebRTCFailing},
	} {
		// Two failing minutes out of three: one failed run (a blip) never
		// alarms. Minimum over every task's datapoints: one task whose
		// probe fails is enough.
		m, _ := catalog.Lookup(probemetrics.MetricProbeSuccess) // the set is checked in CloudWatchDefinitions
		out = append(out, Alarm{Name: cw.AlarmPrefix + p.name,
			Description: desc("The "+p.kind+" probe keeps failing.", Runbook(p.alert)),
			Namespace:   cw.Namespace, MetricName: m.Name,
			Dimensions: c.ourDimensions(map[string]string{probemetrics.LabelKind: p.kind}),
			Statistic:  m.Statistic, Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 1,
			Comparison: cmpLT, TreatMissingData: missingBreaching, MinThreshold: 0, MaxThreshold: 1})
	}
	return out
}

// ourDimensions returns the dimensions of a metric in our namespace: the
// sidecar's static Service and Environment plus labels.
func (c Config) ourDimensions(labels map[string]string) map[string]string {
	out := map[string]string{catalog.DimService: c.CloudWatch.Service, catalog.DimEnvironment: c.CloudWatch.Environment}
	maps.Copy(out, labels)
	return out
}

// connectionSuccessAlarm computes the connection success rate in percent
// with metric math over voice_connections_total per result (the
// catalogue's [result] set, read with its statistic, Sum: every task's
// attempts count).
func (c Config) connectionSuccessAlarm(desc func(string, string) string) Alarm {
	cw := c.CloudWatch
	m, _ := catalog.Lookup(voicemetrics.MetricConnections)
	q := func(id, result string) MetricQuery {
		return MetricQuery{ID: id, Namespace: cw.Namespace, MetricName: m.Name,
			Dimensions: c.ourDimensions(map[string]string{voicemetrics.LabelResult: result}), Stat: m.Statistic, Period: 300}
	}
	return Alarm{Name: cw.AlarmPrefix + "ConnectionSuccessRate",
		Description: desc(fmt.Sprintf("WebRTC connection success rate is below target (objective %s%%).", num(c.ConnectionObjective*100)), Runbook(AlertConnectionBudgetBurn)),
		Metrics: []MetricQuery{
			q("connected", voicemetrics.ConnectionConnected),
			q("failed", voicemetrics.ConnectionFailed),
			q("timeout", voicemetrics.ConnectionTimeout),
			{ID: "success_rate", Label: "Connection success rate (%)", ReturnData: true,
				Expression: "100 * FILL(connected, 0) / (FILL(connected, 0) + FILL(failed, 0) + FILL(timeout, 0))"},
		},
		Period: 300, EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 95,
		Comparison: cmpLT, TreatMissingData: missingNotBreaching, MinThreshold: 0, MaxThreshold: 100}
}
