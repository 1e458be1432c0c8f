package voice

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Metric names exported by the media core. They are the contract with the
// sidecar, the dashboards and the alerts (see DESIGN.md): those packages
// import these constants instead of retyping the strings.
const (
	MetricSessionsStarted        = "voice_sessions_started_total"
	MetricSessionsEnded          = "voice_sessions_ended_total"
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
	MetricWebSocketConnections   = "voice_websocket_connections_total"
	MetricWebSocketActive        = "voice_websocket_connections_active"
	MetricRTPPackets             = "voice_rtp_packets_total"
	MetricRTPBytes               = "voice_rtp_bytes_total"
	MetricBuildInfo              = "voice_build_info"
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
)

// Session outcomes (label outcome).
const (
	OutcomeCompleted = "completed"
	OutcomeAbandoned = "abandoned"
	OutcomeFailed    = "failed"
	OutcomeRejected  = "rejected"
)

// Connection results (label result of voice_connections_total).
const (
	ConnectionConnected = "connected"
	ConnectionFailed    = "failed"
	ConnectionTimeout   = "timeout"
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

// Buckets: ICE and setup times span 1 ms (loopback) to the 10 s gathering
// timeout and the incident's 60 s; session durations span seconds to 30 min.
var (
	setupBuckets    = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2, 3, 5, 7.5, 10, 15, 30, 60}
	latencyBuckets  = []float64{.05, .1, .2, .3, .5, .75, 1, 1.5, 2, 3, 5, 10}
	sessionBuckets  = []float64{1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600}
	firstByteBucket = []float64{.01, .025, .05, .1, .2, .3, .5, .75, 1, 2, 5}
)

// metrics holds the media core's instruments, registered on one registry.
// Vectors with bounded labels are pre-resolved where they sit on a hot path.
type metrics struct {
	sessionsStarted   prometheus.Counter
	sessionsEnded     *prometheus.CounterVec
	sessionsActive    prometheus.Gauge
	sessionDuration   *prometheus.HistogramVec
	gatheringDuration prometheus.Histogram
	gatheringTimeouts prometheus.Counter
	setupDuration     prometheus.Histogram
	connections       *prometheus.CounterVec
	stateChanges      *prometheus.CounterVec
	selectedPairs     *prometheus.CounterVec
	restarts          *prometheus.CounterVec
	sttRequests       *prometheus.CounterVec
	sttErrors         *prometheus.CounterVec
	ttsRequests       *prometheus.CounterVec
	ttsErrors         *prometheus.CounterVec
	ttsFirstByte      *prometheus.HistogramVec
	responseLatency   prometheus.Histogram
	storeWrites       *prometheus.CounterVec
	httpRequests      *prometheus.CounterVec
	scanner           *prometheus.CounterVec
	rateLimited       prometheus.Counter
	rejected          *prometheus.CounterVec
	wsConnections     prometheus.Counter
	wsActive          prometheus.Gauge
	rtpPacketsIn      prometheus.Counter
	rtpPacketsOut     prometheus.Counter
	rtpBytesIn        prometheus.Counter
	rtpBytesOut       prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	m := &metrics{
		sessionsStarted: f.NewCounter(prometheus.CounterOpts{Name: MetricSessionsStarted,
			Help: "Sessions accepted (POST /whip answered 201)."}),
		sessionsEnded: f.NewCounterVec(prometheus.CounterOpts{Name: MetricSessionsEnded,
			Help: "Sessions ended, by outcome: completed (connected, hung up cleanly), abandoned (connected, then the peer vanished), failed (never connected or server error), rejected (refused at the session cap)."}, []string{LabelOutcome}),
		sessionsActive: f.NewGauge(prometheus.GaugeOpts{Name: MetricSessionsActive,
			Help: "Sessions in progress."}),
		sessionDuration: f.NewHistogramVec(prometheus.HistogramOpts{Name: MetricSessionDuration,
			Help: "Session duration from POST /whip to the end, by outcome.", Buckets: sessionBuckets}, []string{LabelOutcome}),
		gatheringDuration: f.NewHistogram(prometheus.HistogramOpts{Name: MetricICEGatheringDuration,
			Help: "Server-side ICE gathering time until the answer is sent.", Buckets: setupBuckets}),
		gatheringTimeouts: f.NewCounter(prometheus.CounterOpts{Name: MetricICEGatheringTimeouts,
			Help: "Answers sent because ICE gathering hit ice.gathering_timeout."}),
		setupDuration: f.NewHistogram(prometheus.HistogramOpts{Name: MetricConnectionSetup,
			Help: "Time from POST /whip to PeerConnection connected.", Buckets: setupBuckets}),
		connections: f.NewCounterVec(prometheus.CounterOpts{Name: MetricConnections,
			Help: "Connection attempts by result: connected, failed (ICE/DTLS failed), timeout (ice.connect_timeout)."}, []string{LabelResult}),
		stateChanges: f.NewCounterVec(prometheus.CounterOpts{Name: MetricConnectionStateChanges,
			Help: "PeerConnection state changes, by new state."}, []string{LabelState}),
		selectedPairs: f.NewCounterVec(prometheus.CounterOpts{Name: MetricICESelectedPairs,
			Help: "Selected ICE candidate pairs by local and remote candidate type (host, srflx, prflx, relay) and protocol."}, []string{LabelLocalType, LabelRemoteType, LabelProtocol}),
		restarts: f.NewCounterVec(prometheus.CounterOpts{Name: MetricICERestarts,
			Help: "ICE restarts requested by clients, by result: succeeded, failed, exhausted (over ice.max_restarts)."}, []string{LabelResult}),
		sttRequests: f.NewCounterVec(prometheus.CounterOpts{Name: MetricSTTRequests,
			Help: "Speech-to-text streams opened, by provider."}, []string{LabelProvider}),
		sttErrors: f.NewCounterVec(prometheus.CounterOpts{Name: MetricSTTErrors,
			Help: "Speech-to-text errors by provider and reason (timeout includes the silence timeout)."}, []string{LabelProvider, LabelReason}),
		ttsRequests: f.NewCounterVec(prometheus.CounterOpts{Name: MetricTTSRequests,
			Help: "Text-to-speech requests, by provider."}, []string{LabelProvider}),
		ttsErrors: f.NewCounterVec(prometheus.CounterOpts{Name: MetricTTSErrors,
			Help: "Text-to-speech errors by provider and reason."}, []string{LabelProvider, LabelReason}),
		ttsFirstByte: f.NewHistogramVec(prometheus.HistogramOpts{Name: MetricTTSFirstByte,
			Help: "Text-to-speech time to first audio chunk, by provider.", Buckets: firstByteBucket}, []string{LabelProvider}),
		responseLatency: f.NewHistogram(prometheus.HistogramOpts{Name: MetricResponseLatency,
			Help: "Voice-to-voice latency: end of user speech to the first bot audio packet sent.", Buckets: latencyBuckets}),
		storeWrites: f.NewCounterVec(prometheus.CounterOpts{Name: MetricStoreWrites,
			Help: "Session store writes by result: ok, error, throttled, conflict."}, []string{LabelResult}),
		httpRequests: f.NewCounterVec(prometheus.CounterOpts{Name: MetricHTTPRequests,
			Help: "Legitimate HTTP requests by route and status code (scanner traffic is rejected before routing and not counted here)."}, []string{LabelRoute, LabelCode}),
		scanner: f.NewCounterVec(prometheus.CounterOpts{Name: MetricHTTPScannerRequests,
			Help: "Requests rejected as scanner traffic, by pattern."}, []string{LabelPattern}),
		rateLimited: f.NewCounter(prometheus.CounterOpts{Name: MetricHTTPRateLimited,
			Help: "Requests rejected by the per-client rate limit."}),
		rejected: f.NewCounterVec(prometheus.CounterOpts{Name: MetricHTTPRejected,
			Help: "Requests rejected by the HTTP guard for other reasons (body_too_large), by reason."}, []string{LabelReason}),
		wsConnections: f.NewCounter(prometheus.CounterOpts{Name: MetricWebSocketConnections,
			Help: "Event WebSocket connections accepted."}),
		wsActive: f.NewGauge(prometheus.GaugeOpts{Name: MetricWebSocketActive,
			Help: "Event WebSocket connections open."}),
	}
	rtpPackets := f.NewCounterVec(prometheus.CounterOpts{Name: MetricRTPPackets,
		Help: "RTP audio packets, by direction (in, out)."}, []string{LabelDirection})
	rtpBytes := f.NewCounterVec(prometheus.CounterOpts{Name: MetricRTPBytes,
		Help: "RTP audio payload bytes, by direction (in, out)."}, []string{LabelDirection})
	m.rtpPacketsIn, m.rtpPacketsOut = rtpPackets.WithLabelValues("in"), rtpPackets.WithLabelValues("out")
	m.rtpBytesIn, m.rtpBytesOut = rtpBytes.WithLabelValues("in"), rtpBytes.WithLabelValues("out")
	// Pre-initialise bounded label sets so rates exist from the first scrape.
	for _, o := range []string{OutcomeCompleted, OutcomeAbandoned, OutcomeFailed, OutcomeRejected} {
		m.sessionsEnded.WithLabelValues(o)
	}
	for _, r := range []string{ConnectionConnected, ConnectionFailed, ConnectionTimeout} {
		m.connections.WithLabelValues(r)
	}
	for _, r := range []string{StoreOK, StoreError, StoreThrottled, StoreConflict} {
		m.storeWrites.WithLabelValues(r)
	}
	return m
}

// RegisterMetrics registers the media core's instruments on reg without a
// server, for documentation (docs/metrics.md is generated from it).
func RegisterMetrics(reg prometheus.Registerer) { newMetrics(reg) }
