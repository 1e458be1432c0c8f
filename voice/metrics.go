package voice

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// Buckets: ICE and setup times span 1 ms (loopback) to the 10 s gathering
// timeout and the incident's 60 s; session durations span seconds to 30 min.
var (
	setupBuckets    = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2, 3, 5, 7.5, 10, 15, 30, 60}
	latencyBuckets  = []float64{.05, .1, .2, .3, .5, .75, 1, 1.5, 2, 3, 5, 10}
	sessionBuckets  = []float64{1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600}
	firstByteBucket = []float64{.01, .025, .05, .1, .2, .3, .5, .75, 1, 2, 5}
	// Jitter: 20 ms audio packets; under 5 ms is good, over 50 ms audible.
	jitterBuckets = []float64{.0005, .001, .002, .005, .01, .02, .03, .05, .1, .2, .5}
	// RTT: loopback to intercontinental; the E-model's delay term starts
	// to bite above ~200 ms one way.
	rttBuckets = []float64{.001, .005, .01, .025, .05, .1, .15, .2, .3, .5, 1, 2}
	// MOS: 1..4.5 (the E-model's range); a clean call scores 4.41.
	mosBuckets = []float64{1.5, 2, 2.5, 3, 3.25, 3.5, 3.75, 4, 4.2, 4.3, 4.4, 4.5}
	// Exchange stages: the VAD's end-of-speech wait is hundreds of ms;
	// provider stages span ms (embedded) to seconds.
	stageBuckets = []float64{.001, .005, .01, .025, .05, .1, .2, .3, .5, .75, 1, 1.5, 2, 3, 5, 10}
)

// stageNames are voicemetrics.Stages, in the order of exchange.stages.
var stageNames = [5]string{voicemetrics.StageEndOfSpeech, voicemetrics.StageSTTFinal, voicemetrics.StageDialog,
	voicemetrics.StageTTSFirstByte, voicemetrics.StageFirstAudio}

// metrics holds the media core's instruments, registered on one registry.
// Vectors with bounded labels are pre-resolved where they sit on a hot path.
type metrics struct {
	sessionsStarted   prometheus.Counter
	sessionsEnded     *prometheus.CounterVec
	sessionsRejected  *prometheus.CounterVec
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
	forwarded         prometheus.Counter
	rejected          *prometheus.CounterVec
	wsConnections     prometheus.Counter
	wsActive          prometheus.Gauge
	rtpPacketsIn      prometheus.Counter
	rtpPacketsOut     prometheus.Counter
	rtpBytesIn        prometheus.Counter
	rtpBytesOut       prometheus.Counter
	rtpLost           [2]prometheus.Counter  // by dirIn, dirOut
	rtpJitter         [2]prometheus.Observer // by dirIn, dirOut
	rtt               prometheus.Histogram
	mos               prometheus.Histogram
	stages            map[string]prometheus.Observer // by voicemetrics.Stages
	interruptions     prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	m := &metrics{
		sessionsStarted: f.NewCounter(prometheus.CounterOpts{Name: voicemetrics.MetricSessionsStarted,
			Help: "Sessions accepted (POST /whip answered 201)."}),
		sessionsEnded: f.NewCounterVec(prometheus.CounterOpts{Name: voicemetrics.MetricSessionsEnded,
			Help: "Sessions ended, by outcome: completed (connected, hung up cleanly), abandoned (connected, then the peer vanished), failed (never connected or server error), rejected (refused at the session cap)."}, []string{voicemetrics.LabelOutcome}),
		sessionsRejected: f.NewCounterVec(prometheus.CounterOpts{Name: voicemetrics.MetricSessionsRejected,
			Help: "Sessions refused before they started (also counted in voice_sessions_ended_total{outcome=\"rejected\"}), by reason: session_cap (max_sessions), client_session_cap (max_sessions_per_client), no_media_port (the UDP port range is used up), shutting_down."}, []string{voicemetrics.LabelReason}),
		sessionsActive: f.NewGauge(prometheus.GaugeOpts{Name: voicemetrics.MetricSessionsActive,
			Help: "Sessions in progress."}),
		sessionDuration: f.NewHistogramVec(prometheus.HistogramOpts{Name: voicemetrics.MetricSessionDuration,
			Help: "Session duration from POST /whip to the end, by outcome.", Buckets: sessionBuckets}, []string{voicemetrics.LabelOutcome}),
		gatheringDuration: f.NewHistogram(prometheus.HistogramOpts{Name: voicemetrics.MetricICEGatheringDuration,
			Help: "Server-side ICE gathering time until the answer is sent.", Buckets: setupBuckets}),
		gatheringTimeouts: f.NewCounter(prometheus.CounterOpts{Name: voicemetrics.MetricICEGatheringTimeouts,
			Help: "Answers sent because ICE gathering hit ice.gathering_timeout."}),
		setupDuration: f.NewHistogram(prometheus.HistogramOpts{Name: voicemetrics.MetricConnectionSetup,
			Help: "Time from POST /whip to PeerConnection connected.", Buckets: setupBuckets}),
		connections: f.NewCounterVec(prometheus.CounterOpts{Name: voicemetrics.MetricConnections,
			Help: "Connection attempts by result: connected, failed (ICE/DTLS failed), timeout (ice.connect_timeout)."}, []string{voicemetrics.LabelResult}),
		stateChanges: f.NewCounterVec(prometheus.CounterOpts{Name: voicemetrics.MetricConnectionStateChanges,
			Help: "PeerConnection state changes, by new state."}, []string{voicemetrics.LabelState}),
		selectedPairs: f.NewCounterVec(prometheus.CounterOpts{Name: voicemetrics.MetricICESelectedPairs,
			Help: "Selected ICE candidate pairs by local and remote candidate type (host, srflx, prflx, relay) and protocol, once per connection; a peer-reflexive remote is counted 2 s later as the type the caller has signalled by then."}, []string{voicemetrics.LabelLocalType, voicemetrics.LabelRemoteType, voicemetrics.LabelProtocol}),
		restarts: f.NewCounterVec(prometheus.CounterOpts{Name: voicemetrics.MetricICERestarts,
			Help: "ICE restarts requested by clients, by result: succeeded, failed, exhausted (over ice.max_restarts)."}, []string{voicemetrics.LabelResult}),
		sttRequests: f.NewCounterVec(prometheus.CounterOpts{Name: voicemetrics.MetricSTTRequests,
			Help: "Speech-to-text streams opened, by provider."}, []string{voicemetrics.LabelProvider}),
		sttErrors: f.NewCounterVec(prometheus.CounterOpts{Name: voicemetrics.MetricSTTErrors,
			Help: "Speech-to-text errors by provider and reason (timeout includes the silence timeout)."}, []string{voicemetrics.LabelProvider, voicemetrics.LabelReason}),
		ttsRequests: f.NewCounterVec(prometheus.CounterOpts{Name: voicemetrics.MetricTTSRequests,
			Help: "Text-to-speech requests, by provider."}, []string{voicemetrics.LabelProvider}),
		ttsErrors: f.NewCounterVec(prometheus.CounterOpts{Name: voicemetrics.MetricTTSErrors,
			Help: "Text-to-speech errors by provider and reason."}, []string{voicemetrics.LabelProvider, voicemetrics.LabelReason}),
		ttsFirstByte: f.NewHistogramVec(prometheus.HistogramOpts{Name: voicemetrics.MetricTTSFirstByte,
			Help: "Text-to-speech time to first audio chunk, by provider.", Buckets: firstByteBucket}, []string{voicemetrics.LabelProvider}),
		responseLatency: f.NewHistogram(prometheus.HistogramOpts{Name: voicemetrics.MetricResponseLatency,
			Help: "Voice-to-voice latency: end of user speech to the first bot audio packet sent.", Buckets: latencyBuckets}),
		storeWrites: f.NewCounterVec(prometheus.CounterOpts{Name: voicemetrics.MetricStoreWrites,
			Help: "Session store writes by result: ok, error, throttled, conflict."}, []string{voicemetrics.LabelResult}),
		httpRequests: f.NewCounterVec(prometheus.CounterOpts{Name: voicemetrics.MetricHTTPRequests,
			Help: "Legitimate HTTP requests by route and status code (scanner traffic is rejected before routing and not counted here)."}, []string{voicemetrics.LabelRoute, voicemetrics.LabelCode}),
		scanner: f.NewCounterVec(prometheus.CounterOpts{Name: voicemetrics.MetricHTTPScannerRequests,
			Help: "Requests rejected as scanner traffic, by pattern."}, []string{voicemetrics.LabelPattern}),
		rateLimited: f.NewCounter(prometheus.CounterOpts{Name: voicemetrics.MetricHTTPRateLimited,
			Help: "Requests rejected by the per-client rate limit."}),
		forwarded: f.NewCounter(prometheus.CounterOpts{Name: voicemetrics.MetricHTTPForwarded,
			Help: "Requests for a session another media core holds, forwarded to it (cluster.advertise_url)."}),
		rejected: f.NewCounterVec(prometheus.CounterOpts{Name: voicemetrics.MetricHTTPRejected,
			Help: "Requests rejected by the HTTP guard for other reasons (body_too_large, too_many_connections), by reason."}, []string{voicemetrics.LabelReason}),
		wsConnections: f.NewCounter(prometheus.CounterOpts{Name: voicemetrics.MetricWebSocketConnections,
			Help: "Event WebSocket connections accepted."}),
		wsActive: f.NewGauge(prometheus.GaugeOpts{Name: voicemetrics.MetricWebSocketActive,
			Help: "Event WebSocket connections open."}),
	}
	rtpPackets := f.NewCounterVec(prometheus.CounterOpts{Name: voicemetrics.MetricRTPPackets,
		Help: "RTP audio packets, by direction (in, out)."}, []string{voicemetrics.LabelDirection})
	rtpBytes := f.NewCounterVec(prometheus.CounterOpts{Name: voicemetrics.MetricRTPBytes,
		Help: "RTP audio payload bytes, by direction (in, out)."}, []string{voicemetrics.LabelDirection})
	m.rtpPacketsIn, m.rtpPacketsOut = rtpPackets.WithLabelValues("in"), rtpPackets.WithLabelValues("out")
	m.rtpBytesIn, m.rtpBytesOut = rtpBytes.WithLabelValues("in"), rtpBytes.WithLabelValues("out")
	rtpLost := f.NewCounterVec(prometheus.CounterOpts{Name: voicemetrics.MetricRTPPacketsLost,
		Help: "RTP packets lost, from RTCP receiver reports: in = the caller's audio as the media core received it, out = the bot's audio as the caller reported it."}, []string{voicemetrics.LabelDirection})
	rtpJitter := f.NewHistogramVec(prometheus.HistogramOpts{Name: voicemetrics.MetricRTPJitter,
		Help: "RTP interarrival jitter (RFC 3550 §6.4.1), one observation per RTCP reception report, by direction (in, out).", Buckets: jitterBuckets}, []string{voicemetrics.LabelDirection})
	for i, d := range []string{voicemetrics.DirectionIn, voicemetrics.DirectionOut} {
		m.rtpLost[i], m.rtpJitter[i] = rtpLost.WithLabelValues(d), rtpJitter.WithLabelValues(d)
	}
	m.rtt = f.NewHistogram(prometheus.HistogramOpts{Name: voicemetrics.MetricRTT,
		Help: "Round-trip time from the caller's RTCP reports about the bot's stream (RFC 3550 §6.4.1: arrival − LSR − DLSR).", Buckets: rttBuckets})
	m.mos = f.NewHistogram(prometheus.HistogramOpts{Name: voicemetrics.MetricSessionMOS,
		Help: "Estimated mean opinion score per session at its end (ITU-T G.107 E-model from RTCP loss, jitter and RTT; see docs/media-quality.md).", Buckets: mosBuckets})
	stages := f.NewHistogramVec(prometheus.HistogramOpts{Name: voicemetrics.MetricTurnStage,
		Help: "Where each conversation exchange's voice-to-voice latency goes, by stage: end_of_speech, stt_final, dialog, tts_first_byte, first_audio (they add up to voice_response_latency_seconds).", Buckets: stageBuckets}, []string{voicemetrics.LabelStage})
	m.stages = map[string]prometheus.Observer{}
	for _, st := range voicemetrics.Stages {
		m.stages[st] = stages.WithLabelValues(st)
	}
	m.interruptions = f.NewCounter(prometheus.CounterOpts{Name: voicemetrics.MetricInterruptions,
		Help: "Times the caller spoke over the bot (barge-in)."})
	// Pre-initialise bounded label sets so rates exist from the first scrape.
	for _, o := range []string{voicemetrics.OutcomeCompleted, voicemetrics.OutcomeAbandoned, voicemetrics.OutcomeFailed, voicemetrics.OutcomeRejected} {
		m.sessionsEnded.WithLabelValues(o)
	}
	for _, r := range voicemetrics.RejectReasons {
		m.sessionsRejected.WithLabelValues(r)
	}
	for _, r := range []string{voicemetrics.ConnectionConnected, voicemetrics.ConnectionFailed, voicemetrics.ConnectionTimeout} {
		m.connections.WithLabelValues(r)
	}
	for _, r := range []string{voicemetrics.StoreOK, voicemetrics.StoreError, voicemetrics.StoreThrottled, voicemetrics.StoreConflict} {
		m.storeWrites.WithLabelValues(r)
	}
	return m
}

// RegisterMetrics registers the media core's instruments on reg without a
// server, for documentation (docs/metrics.md is generated from it).
func RegisterMetrics(reg prometheus.Registerer) { newMetrics(reg) }
