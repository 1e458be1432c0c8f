// Package probemetrics names the probe result metrics, their labels and the
// probe kinds. It is a leaf package with no dependencies: dashboards, alerts
// and the CloudWatch catalogue import it without linking the probers.
package probemetrics

// Metric names exported for probe results. They follow the blackbox_exporter
// convention so existing dashboards and alerts keep working; dashboards/ and
// alerts/ import these constants instead of retyping the strings.
const (
	// MetricProbeSuccess is a gauge: 1 when the probe passed (including its
	// assertions), 0 otherwise. Labels: probe, kind, target.
	MetricProbeSuccess = "probe_success"
	// MetricProbeDuration is a gauge: how long the whole probe took, in
	// seconds. Labels: probe, kind, target.
	MetricProbeDuration = "probe_duration_seconds"
	// MetricProbePhaseDuration is a gauge: how long each phase took, in
	// seconds. Labels: probe, kind, target, phase.
	MetricProbePhaseDuration = "probe_phase_duration_seconds"
	// MetricProbeFailureInfo is an info-style gauge, always 1, present only
	// when the probe failed. Labels: probe, kind, target, phase, reason.
	MetricProbeFailureInfo = "probe_failure_info"
	// MetricProbeRTT is a gauge: the mean round-trip time the probe
	// measured, in seconds (turn: relay echoes; webrtc: RTCP or ICE).
	// Labels: probe, kind, target.
	MetricProbeRTT = "probe_rtt_seconds"
	// MetricProbeJitter is a gauge: the jitter the probe measured, in
	// seconds. Labels: probe, kind, target.
	MetricProbeJitter = "probe_jitter_seconds"
	// MetricProbePacketLoss is a gauge: the ratio (0..1) of the probe's
	// packets lost. Labels: probe, kind, target.
	MetricProbePacketLoss = "probe_packet_loss_ratio"
	// MetricProbeCertExpiry is a gauge: the earliest NotAfter of the
	// target's TLS certificate chain, as Unix seconds (blackbox_exporter's
	// name). Labels: probe, kind, target.
	MetricProbeCertExpiry = "probe_ssl_earliest_cert_expiry"
)

// Label names used by the probe metrics.
const (
	// LabelProbe is the configured probe name (e.g. "stun-primary").
	LabelProbe = "probe"
	// LabelKind is the probe kind: stun, turn, webrtc or http.
	LabelKind = "kind"
	// LabelTarget is the probed target (URI or URL, never with credentials).
	LabelTarget = "target"
	// LabelPhase is the phase name (e.g. "ice_gathering").
	LabelPhase = "phase"
	// LabelReason is a failure [Reason].
	LabelReason = "reason"
)

// Kind names of the built-in probers.
const (
	KindSTUN   = "stun"
	KindTURN   = "turn"
	KindWebRTC = "webrtc"
	KindHTTP   = "http"
)

// Phase names: the values of the phase label of
// probe_phase_duration_seconds and probe_failure_info, and the <phase> of
// max_<phase> assertions. A bounded set, in the order each kind runs them.
const (
	// PhaseSTUNBindingUDP and PhaseSTUNBindingTCP are one Binding
	// transaction over each transport (they run in parallel).
	PhaseSTUNBindingUDP = "binding_udp"
	PhaseSTUNBindingTCP = "binding_tcp"

	// PhaseTURNConnect opens the TCP or TLS connection (not over UDP).
	PhaseTURNConnect = "connect"
	// PhaseTURNAllocate is Allocate, including the 401 challenge.
	PhaseTURNAllocate = "allocate"
	// PhaseTURNPeerBinding learns the echo peer's reflexive address.
	PhaseTURNPeerBinding = "peer_binding"
	// PhaseTURNPermission is CreatePermission for the peer.
	PhaseTURNPermission = "permission"
	// PhaseTURNRelayEcho sends data through the relay and back.
	PhaseTURNRelayEcho = "relay_echo"
	// PhaseTURNRefresh refreshes the allocation.
	PhaseTURNRefresh = "refresh"
	// PhaseTURNDeallocate is Refresh with lifetime 0.
	PhaseTURNDeallocate = "deallocate"

	// PhaseWebRTCSignaling is the WHIP offer/answer exchange.
	PhaseWebRTCSignaling = "signaling"
	// PhaseWebRTCICEGathering is the probe's own candidate gathering.
	PhaseWebRTCICEGathering = "ice_gathering"
	// PhaseWebRTCICEConnected runs from the answer to ICE connected.
	PhaseWebRTCICEConnected = "ice_connected"
	// PhaseWebRTCDTLS runs from ICE connected to the end of the DTLS
	// handshake.
	PhaseWebRTCDTLS = "dtls"
	// PhaseWebRTCConnected runs from the DTLS handshake to the
	// PeerConnection's connected state.
	PhaseWebRTCConnected = "connected"
	// PhaseWebRTCGreeting is the wait for the bot's greeting to end.
	PhaseWebRTCGreeting = "greeting"
	// PhaseWebRTCFirstAudio runs from connected to the first audio the bot
	// sent (its greeting, or its reply when it does not greet).
	PhaseWebRTCFirstAudio = "first_audio"
	// PhaseWebRTCResponseLatency runs from the end of the probe's tone to
	// the bot's reply: its voice-to-voice latency as a caller hears it.
	PhaseWebRTCResponseLatency = "response_latency"
	// PhaseWebRTCHangup is the WHIP DELETE that ends the session.
	PhaseWebRTCHangup = "hangup"

	// PhaseHTTPRequest is the GET and its response.
	PhaseHTTPRequest = "request"
)
