package alerts

// Metric names published by the log metric filters (in LogNamespace).
const (
	LogMetricConnectionTimeouts = "ConnectionTimeouts"
	LogMetricTTSErrors          = "TTSErrors"
	LogMetricSTTErrors          = "STTErrors"
	LogMetricCriticalErrors     = "CriticalErrors"
	LogMetricSessionsStarted    = "SessionsStarted"
	LogMetricSessionsCompleted  = "SessionsCompleted"
	LogMetricBrowserErrors      = "BrowserServiceErrors"
)

// metricFilters are the incident's 6 log metric filters on the media core's
// JSON logs (matching the `event` field; slog's `level` for critical
// errors), the same metrics from the Python bot's text logs, and the browser
// service's errors. A metric fed from two log groups is summed by CloudWatch.
func (c Config) metricFilters() []MetricFilter {
	cw := c.CloudWatch
	mk := func(name, group, pattern, metric string) MetricFilter {
		return MetricFilter{Name: cw.AlarmPrefix + name, LogGroup: group, Pattern: pattern,
			Namespace: cw.LogNamespace, MetricName: metric, Value: "1"}
	}
	v, bot := cw.VoiceLogGroup, cw.BotLogGroup
	return []MetricFilter{
		// voicewatch JSON events.
		mk("connection-timeouts", v, `{ ($.event = "ice.timeout") || ($.event = "connection.state" && $.state = "failed") }`, LogMetricConnectionTimeouts),
		mk("tts-errors", v, `{ $.event = "tts.error" }`, LogMetricTTSErrors),
		// Silence timeouts (15 s without speech) are not provider errors.
		mk("stt-errors", v, `{ $.event = "stt.error" && $.reason != "timeout" }`, LogMetricSTTErrors),
		mk("critical-errors", v, `{ $.level = "ERROR" }`, LogMetricCriticalErrors),
		mk("sessions-started", v, `{ $.event = "session.started" }`, LogMetricSessionsStarted),
		mk("sessions-completed", v, `{ $.event = "session.ended" && $.outcome = "completed" }`, LogMetricSessionsCompleted),
		// The Python bot of the incident logs plain text.
		mk("bot-connection-timeouts", bot, `"Timeout establishing the connection to the remote peer"`, LogMetricConnectionTimeouts),
		mk("bot-tts-errors", bot, `?"ElevenLabs error" ?"elevenlabs.core.api_error" ?"policy_violation"`, LogMetricTTSErrors),
		mk("bot-stt-errors", bot, `?"TranscribeStreamingError" ?"BadRequestException" ?"LimitExceededException"`, LogMetricSTTErrors),
		mk("bot-critical-errors", bot, `?"CRITICAL" ?"Traceback (most recent call last)"`, LogMetricCriticalErrors),
		mk("browser-errors", cw.BrowserLogGroup, `?"ERROR" ?"FATAL" ?"Traceback (most recent call last)"`, LogMetricBrowserErrors),
	}
}
