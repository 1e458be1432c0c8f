// Package slo is the service-level block that the alerts and the
// dashboards share: which Prometheus jobs scrape the media core and the
// sidecar, the connection and completion objectives, the ICE gathering
// target, and the CloudWatch namespace and static dimensions the sidecar
// publishes under. alerts.Config and dashboards.Config embed Objectives inline
// (`yaml:",inline"`), so its keys sit at the top level of both files, and
// the Prometheus SLO rules and the Grafana objective lines are drawn from
// the same values; their cloudwatch blocks embed CloudWatch the same way.
//
// Like the metric name packages, slo is a leaf: it imports nothing but the
// standard library. Each importer validates the values against its own
// needs (the burn-rate alerts need an objective whose 6× page can fire).
package slo

import "time"

// Defaults of Objectives and CloudWatch.
const (
	DefaultVoiceJob            = "voice"
	DefaultSidecarJob          = "voicewatch-sidecar"
	DefaultConnectionObjective = 0.99
	DefaultCompletionObjective = 0.90
	DefaultICEGatheringP95     = 3 * time.Second

	DefaultNamespace   = "VoiceWatch"
	DefaultService     = "voicewatch"
	DefaultEnvironment = "production"
	// DefaultRegion is the AWS region of the deployment the CloudWatch
	// dashboard reads and the runbooks' commands address.
	DefaultRegion = "us-east-1"
)

// Objectives is what the service promises and which Prometheus jobs
// measure it. The zero value of a field means its documented default.
type Objectives struct {
	// VoiceJob is the Prometheus `job` label of the media core (agent
	// voice). The alerts match it exactly, the dashboards as a regular
	// expression. Default "voice".
	VoiceJob string `yaml:"voice_job"`
	// SidecarJob is the Prometheus `job` label of the sidecar (agent
	// sidecar), which exposes the probe_* and voicewatch_* metrics. The
	// alerts match it exactly, the dashboards as a regular expression.
	// Default "voicewatch-sidecar".
	SidecarJob string `yaml:"sidecar_job"`
	// ConnectionObjective is the SLO for WebRTC connection success: the
	// fraction of voice_connections_total with result="connected". The
	// burn-rate alerts and the dashboards' error budget and objective
	// thresholds use it. Default 0.99.
	ConnectionObjective float64 `yaml:"connection_objective"`
	// CompletionObjective is the SLO for session completion: the fraction
	// of ended sessions (outcome completed, abandoned or failed; rejected
	// sessions are excluded) that completed. Default 0.90.
	CompletionObjective float64 `yaml:"completion_objective"`
	// ICEGatheringP95 is the ICE gathering p95 above which a ticket is
	// raised, and the dashboards' ICE gathering threshold unless they set
	// their own. Default 3s (the incident's target was 2–3 s).
	ICEGatheringP95 time.Duration `yaml:"ice_gathering_p95"`
}

// WithDefaults returns c with every zero field set to its default.
func (c Objectives) WithDefaults() Objectives {
	if c.VoiceJob == "" {
		c.VoiceJob = DefaultVoiceJob
	}
	if c.SidecarJob == "" {
		c.SidecarJob = DefaultSidecarJob
	}
	if c.ConnectionObjective == 0 {
		c.ConnectionObjective = DefaultConnectionObjective
	}
	if c.CompletionObjective == 0 {
		c.CompletionObjective = DefaultCompletionObjective
	}
	if c.ICEGatheringP95 == 0 {
		c.ICEGatheringP95 = DefaultICEGatheringP95
	}
	return c
}

// CloudWatch is where the sidecar publishes in CloudWatch, as the alarms
// and the CloudWatch dashboard select it. The zero value of a field means
// its documented default.
type CloudWatch struct {
	// Namespace is where the sidecar publishes voicewatch metrics (the
	// exporter's cloudwatch.namespace). Default "VoiceWatch".
	Namespace string `yaml:"namespace"`
	// Service and Environment are the sidecar's static CloudWatch
	// dimensions (cloudwatch.static_dimensions of its configuration): the
	// alarms and the dashboard widgets select our metrics by both.
	// Defaults "voicewatch" and "production".
	Service     string `yaml:"service"`
	Environment string `yaml:"environment"`
}

// WithDefaults returns c with every zero field set to its default.
func (c CloudWatch) WithDefaults() CloudWatch {
	if c.Namespace == "" {
		c.Namespace = DefaultNamespace
	}
	if c.Service == "" {
		c.Service = DefaultService
	}
	if c.Environment == "" {
		c.Environment = DefaultEnvironment
	}
	return c
}
