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
