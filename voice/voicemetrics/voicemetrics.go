// Package voicemetrics names the media core's metrics, labels and bounded
// label values. It is a leaf package with no dependencies, as
// OpenTelemetry's semconv packages are: the sidecar's CloudWatch catalogue,
// the dashboards and the alerts import it without linking pion or the
// media core.
package voicemetrics

// Metric names exported by the media core. They are the contract with the
// sidecar, the dashboards and the alerts (docs/metrics.md): those packages
// import these constants instead of retyping the strings.
const (
	MetricSessionsStarted        = "voice_sessions_started_total"
	MetricSessionsEnded          = "voice_sessions_ended_total"
	MetricSessionsRejected       = "voice_sessions_rejected_total"
	MetricSessionsActive         = "voice_sessions_active"
	MetricSessionDuration        = "voice_session_duration_seconds"
	MetricICEGatheringDuration   = "voice_ice_gathering_duration_seconds"
	MetricICEGatheringTimeouts   = "voice_ice_gathering_timeouts_total"
	MetricConnectionSetup        = "voice_connection_setup_duration_seconds"
	MetricConnections            = "voice_connections_total"
	MetricConnectionStateChanges = "voice_connection_state_changes_total"
	MetricICESelectedPairs       = "voice_ice_selected_pairs_total"
	MetricICERestarts            = "voice_ice_restarts_total"
	MetricSTTRequests            = "voice_stt_requests_total"
	MetricSTTErrors              = "voice_stt_errors_total"
	MetricTTSRequests            = "voice_tts_requests_total"
	MetricTTSErrors              = "voice_tts_errors_total"
	MetricTTSFirstByte           = "voice_tts_first_byte_seconds"
	MetricResponseLatency        = "voice_response_latency_seconds"
	MetricStoreWrites            = "voice_store_writes_total"
	MetricHTTPRequests           = "voice_http_requests_total"
	MetricHTTPScannerRequests    = "voice_http_scanner_requests_total"
	MetricHTTPRateLimited        = "voice_http_rate_limited_total"
	MetricHTTPRejected           = "voice_http_rejected_requests_total"
	MetricHTTPForwarded          = "voice_http_forwarded_requests_total"
	MetricWebSocketConnections   = "voice_websocket_connections_total"
	MetricWebSocketActive        = "voice_websocket_connections_active"
	MetricRTPPackets             = "voice_rtp_packets_total"
	MetricRTPBytes               = "voice_rtp_bytes_total"
	MetricBuildInfo              = "voice_build_info"

	// Media and conversation quality (RTCP reports, the E-model, the
	// per-exchange latency breakdown).
	MetricRTPPacketsLost = "voice_rtp_packets_lost_total"
	MetricRTPJitter      = "voice_rtp_jitter_seconds"
	MetricRTT            = "voice_rtt_seconds"
	MetricSessionMOS     = "voice_session_mos"
	MetricTurnStage      = "voice_turn_stage_seconds"
	MetricInterruptions  = "voice_interruptions_total"
)

// Label names.
const (
	LabelOutcome    = "outcome"
	LabelResult     = "result"
	LabelState      = "state"
	LabelLocalType  = "local_type"
	LabelRemoteType = "remote_type"
	LabelProtocol   = "protocol"
	LabelProvider   = "provider"
	LabelReason     = "reason"
	LabelPattern    = "pattern"
	LabelRoute      = "route"
	LabelCode       = "code"
	LabelDirection  = "direction"
	LabelStage      = "stage"
)

// RTP directions (label direction). For voice_rtp_packets_lost_total and
// voice_rtp_jitter_seconds, in is the caller's audio as the media core
// received it (its own receiver reports) and out is the bot's audio as the
// caller received it (the caller's receiver reports).
const (
	DirectionIn  = "in"
	DirectionOut = "out"
)

// Stages of one conversation exchange (label stage of
// voice_turn_stage_seconds), in order. Their durations add up to the
// exchange's voice_response_latency_seconds observation.
const (
	// StageEndOfSpeech is the silence the VAD waited before it declared
	// the end of the utterance.
	StageEndOfSpeech = "end_of_speech"
	// StageSTTFinal runs from the VAD's end of speech to the final
	// transcript.
	StageSTTFinal = "stt_final"
	// StageDialog is the dialog's time to a reply.
	StageDialog = "dialog"
	// StageTTSFirstByte is the TTS's time to the first audio chunk (zero
	// when the reply carries its own audio, as the echo bot's does).
	StageTTSFirstByte = "tts_first_byte"
	// StageFirstAudio runs from the first chunk to the first RTP packet
	// sent.
	StageFirstAudio = "first_audio"
)

// Stages lists the exchange stages in order.
var Stages = []string{StageEndOfSpeech, StageSTTFinal, StageDialog, StageTTSFirstByte, StageFirstAudio}

// Session outcomes (label outcome).
const (
	OutcomeCompleted = "completed"
	OutcomeAbandoned = "abandoned"
	OutcomeFailed    = "failed"
	OutcomeRejected  = "rejected"
)

// Why a session was refused (label reason of voice_sessions_rejected_total,
// and of the session.ended event of outcome rejected).
const (
	RejectSessionCap       = "session_cap"        // max_sessions reached
	RejectClientSessionCap = "client_session_cap" // max_sessions_per_client reached
	RejectNoMediaPort      = "no_media_port"      // no local candidate could be bound (UDP port range used up)
	RejectShuttingDown     = "shutting_down"      // the media core is draining
)

// RejectReasons lists every reason a session is refused.
var RejectReasons = []string{RejectSessionCap, RejectClientSessionCap, RejectNoMediaPort, RejectShuttingDown}

// Connection results (label result of voice_connections_total).
const (
	ConnectionConnected = "connected"
	ConnectionFailed    = "failed"
	ConnectionTimeout   = "timeout"
)

// Candidate types (labels local_type and remote_type of
// voice_ice_selected_pairs_total), as RFC 8445 and pion name them.
const (
	CandidateHost  = "host"
	CandidateSrflx = "srflx"
	CandidatePrflx = "prflx"
	CandidateRelay = "relay"
)

// ICE restart results (label result of voice_ice_restarts_total).
const (
	RestartSucceeded = "succeeded"
	RestartFailed    = "failed"
	RestartExhausted = "exhausted"
)

// Store write results (label result of voice_store_writes_total).
const (
	StoreOK        = "ok"
	StoreError     = "error"
	StoreThrottled = "throttled"
	StoreConflict  = "conflict"
)

// Provider error reasons (label reason of voice_stt_errors_total and
// voice_tts_errors_total). A bounded set: every provider error maps to one.
const (
	ReasonTimeout         = "timeout"
	ReasonPolicyViolation = "policy_violation"
	ReasonAuth            = "auth"
	ReasonThrottled       = "throttled"
	ReasonQuota           = "quota"
	ReasonNetwork         = "network"
	ReasonOther           = "other"
)

// Reasons lists every provider error reason.
var Reasons = []string{ReasonTimeout, ReasonPolicyViolation, ReasonAuth, ReasonThrottled, ReasonQuota, ReasonNetwork, ReasonOther}
