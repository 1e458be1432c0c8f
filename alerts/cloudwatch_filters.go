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
	mk := func(name, group, pattern, metric string, samples []string, not ...string) MetricFilter {
		return MetricFilter{Name: cw.AlarmPrefix + name, LogGroup: group, Pattern: pattern,
			Namespace: cw.LogNamespace, MetricName: metric, Value: "1", Samples: samples, NotMatching: not}
	}
	// ev is one of the media core's JSON log events (slog's JSON handler:
	// time, level, msg, then the event's attributes).
	ev := func(level, event, attrs string) string {
		if attrs != "" {
			attrs = "," + attrs
		}
		return `{"time":"2026-01-14T10:32:11.123Z","level":"` + level + `","msg":"` + event + `","component":"voice","event":"` + event + `","session":"7f3a9c"` + attrs + `}`
	}
	v, bot := cw.VoiceLogGroup, cw.BotLogGroup
	return []MetricFilter{
		// voicewatch JSON events.
		mk("connection-timeouts", v, `{ ($.event = "ice.timeout") || ($.event = "connection.state" && $.state = "failed") }`, LogMetricConnectionTimeouts,
			[]string{ev("WARN", "ice.timeout", `"after":"30s"`), ev("WARN", "connection.state", `"state":"failed"`)},
			ev("INFO", "connection.state", `"state":"connected"`)),
		mk("tts-errors", v, `{ $.event = "tts.error" }`, LogMetricTTSErrors,
			[]string{ev("WARN", "tts.error", `"provider":"elevenlabs","reason":"policy_violation","error":"voice_settings are only accepted in the first message"`)},
			ev("WARN", "stt.error", `"provider":"transcribe","reason":"throttled"`)),
		// Silence timeouts (15 s without speech) are not provider errors.
		mk("stt-errors", v, `{ $.event = "stt.error" && $.reason != "timeout" }`, LogMetricSTTErrors,
			[]string{ev("WARN", "stt.error", `"provider":"transcribe","reason":"throttled"`)},
			ev("WARN", "stt.error", `"provider":"transcribe","reason":"timeout","error":"no speech for 15s"`)),
		mk("critical-errors", v, `{ $.level = "ERROR" }`, LogMetricCriticalErrors,
			[]string{ev("ERROR", "store.write", `"result":"error","error":"dynamodb: RequestLimitExceeded"`)},
			ev("INFO", "session.started", "")),
		mk("sessions-started", v, `{ $.event = "session.started" }`, LogMetricSessionsStarted,
			[]string{ev("INFO", "session.started", `"remote":"203.0.113.7"`)}),
		mk("sessions-completed", v, `{ $.event = "session.ended" && $.outcome = "completed" }`, LogMetricSessionsCompleted,
			[]string{ev("INFO", "session.ended", `"outcome":"completed","duration_seconds":94.2`)},
			ev("INFO", "session.ended", `"outcome":"abandoned","duration_seconds":12.9`)),
		// The Python bot of the incident logs plain text.
		mk("bot-connection-timeouts", bot, `"Timeout establishing the connection to the remote peer"`, LogMetricConnectionTimeouts,
			[]string{"2026-01-14 10:32:11,123 - bot - ERROR - Timeout establishing the connection to the remote peer"}),
		mk("bot-tts-errors", bot, `?"ElevenLabs error" ?"elevenlabs.core.api_error" ?"policy_violation"`, LogMetricTTSErrors,
			[]string{"2026-01-14 10:33:02,481 - tts - ERROR - ElevenLabs error: 1008 policy_violation: voice_settings can only be set in the first message",
				"elevenlabs.core.api_error.ApiError: status_code: 401"}),
		mk("bot-stt-errors", bot, `?"TranscribeStreamingError" ?"BadRequestException" ?"LimitExceededException"`, LogMetricSTTErrors,
			[]string{"2026-01-14 10:34:40,007 - stt - ERROR - BadRequestException: Your request timed out because no new audio was received for 15 seconds."}),
		mk("bot-critical-errors", bot, `?"CRITICAL" ?"Traceback (most recent call last)"`, LogMetricCriticalErrors,
			[]string{"2026-01-14 10:35:12,900 - bot - CRITICAL - session store unavailable", "Traceback (most recent call last):"}),
		mk("browser-errors", cw.BrowserLogGroup, `?"ERROR" ?"FATAL" ?"Traceback (most recent call last)"`, LogMetricBrowserErrors,
			[]string{"2026-01-14T10:36:01.552Z ERROR browser-service: page crashed"}),
	}
}
