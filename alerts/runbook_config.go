package alerts

import (
	"cmp"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/voicewatch/voicewatch/internal/slo"
)

// RunbookConfig is what the generated runbooks say about who owns the
// alerts, whom to escalate to, where providers take support cases, and
// what the restart and probe commands act on. A team fills it in once
// (the `runbooks:` section of the alerts config) and `agent alerts export`
// renders it into every runbook; the committed docs/runbooks/ are rendered
// with the defaults.
type RunbookConfig struct {
	// Team owns the alerts. Default "the voice platform team".
	Team string `yaml:"team"`
	// Contact is where the team coordinates an incident. Default
	// "#voice-oncall on Slack".
	Contact string `yaml:"contact"`
	// Escalation is who to involve, in order, while an alert stays
	// unresolved. Default: the primary on-call at once, the secondary after
	// 15m, the engineering manager after 30m.
	Escalation []EscalationStep `yaml:"escalation"`
	// Support holds the provider support and status links.
	Support SupportConfig `yaml:"support"`
	// TaskFamily is the ECS task definition family of the media core and the
	// sidecar (deploy/ecs/task-definition.json), used by the rollback
	// commands. Default "voicewatch".
	TaskFamily string `yaml:"task_family"`
	// Region is the AWS region of the ECS service and the log groups.
	// Default "us-east-1".
	Region string `yaml:"region"`
	// GrafanaURL, PrometheusURL and AlertmanagerURL are where on-call opens
	// dashboards and queries. Defaults: the docker compose stack's
	// http://127.0.0.1:3000, :9090 and :9093.
	GrafanaURL      string `yaml:"grafana_url"`
	PrometheusURL   string `yaml:"prometheus_url"`
	AlertmanagerURL string `yaml:"alertmanager_url"`
	// WHIPURL is the media core's public WHIP endpoint the probe commands
	// call. Default "https://voice.example.com/whip".
	WHIPURL string `yaml:"whip_url"`
	// SidecarURL is the sidecar's address as seen by on-call. Default
	// "http://127.0.0.1:9464".
	SidecarURL string `yaml:"sidecar_url"`
	// STUNURLs and TURNURL are the ICE servers the probe commands check.
	// Defaults stun:stun1.example.com:3478, stun:stun2.example.com:3478 and
	// turn:turn.example.com:3478?transport=udp.
	STUNURLs []string `yaml:"stun_urls"`
	TURNURL  string   `yaml:"turn_url"`
}

// EscalationStep is one step of the escalation path.
type EscalationStep struct {
	// After is how long after the alert fired this step starts. Required
	// to increase from step to step; the first is usually 0.
	After model.Duration `yaml:"after"`
	// Contact says whom to involve and how (a person, a rota, a phone
	// number or a pager schedule). Required.
	Contact string `yaml:"contact"`
}

// SupportConfig are the provider support and status links.
type SupportConfig struct {
	// AWS is where to open an AWS support case. Default
	// "https://console.aws.amazon.com/support/home#/case/create".
	AWS string `yaml:"aws"`
	// AWSStatus is the AWS Health Dashboard. Default
	// "https://health.aws.amazon.com/health/status".
	AWSStatus string `yaml:"aws_status"`
	// ElevenLabs is where to contact ElevenLabs support. Default
	// "https://help.elevenlabs.io/hc/en-us/requests/new".
	ElevenLabs string `yaml:"elevenlabs"`
	// ElevenLabsStatus is ElevenLabs' status page. Default
	// "https://status.elevenlabs.io".
	ElevenLabsStatus string `yaml:"elevenlabs_status"`
}

// DefaultEscalation is the escalation path of the committed runbooks.
var DefaultEscalation = []EscalationStep{
	{After: 0, Contact: "the primary on-call of the voice platform team (the person paged): follow this runbook and post status in #voice-oncall"},
	{After: model.Duration(15 * time.Minute), Contact: "the secondary on-call (PagerDuty escalation policy \"voicewatch\"): page them if the first five minutes did not show the cause or the mitigation did not hold"},
	{After: model.Duration(30 * time.Minute), Contact: "the voice platform engineering manager: customer impact above 30 minutes, or a provider case is needed"},
}

// WithDefaults returns r with every zero field set to its default.
func (r RunbookConfig) WithDefaults() RunbookConfig {
	for _, d := range []struct {
		p *string
		v string
	}{
		{&r.Team, "the voice platform team"}, {&r.Contact, "#voice-oncall on Slack"},
		{&r.Support.AWS, "https://console.aws.amazon.com/support/home#/case/create"},
		{&r.Support.AWSStatus, "https://health.aws.amazon.com/health/status"},
		{&r.Support.ElevenLabs, "https://help.elevenlabs.io/hc/en-us/requests/new"},
		{&r.Support.ElevenLabsStatus, "https://status.elevenlabs.io"},
		{&r.TaskFamily, "voicewatch"}, {&r.Region, slo.DefaultRegion},
		{&r.GrafanaURL, "http://127.0.0.1:3000"}, {&r.PrometheusURL, "http://127.0.0.1:9090"}, {&r.AlertmanagerURL, "http://127.0.0.1:9093"},
		{&r.WHIPURL, "https://voice.example.com/whip"}, {&r.SidecarURL, "http://127.0.0.1:9464"},
		{&r.TURNURL, "turn:turn.example.com:3478?transport=udp"},
	} {
		*d.p = cmp.Or(*d.p, d.v)
	}
	if len(r.STUNURLs) == 0 {
		r.STUNURLs = []string{"stun:stun1.example.com:3478", "stun:stun2.example.com:3478"}
	}
	if len(r.Escalation) == 0 {
		r.Escalation = append([]EscalationStep(nil), DefaultEscalation...)
	}
	return r
}

// Validate reports the first invalid field of r (defaults applied).
func (r RunbookConfig) Validate() error {
	for i, s := range r.Escalation {
		if strings.TrimSpace(s.Contact) == "" {
			return fmt.Errorf("%w: runbooks.escalation[%d]: contact is required (whom to involve and how)", ErrInvalidConfig, i)
		}
		if i > 0 && s.After <= r.Escalation[i-1].After {
			return fmt.Errorf("%w: runbooks.escalation[%d]: after %v must be later than the previous step's %v", ErrInvalidConfig, i, s.After, r.Escalation[i-1].After)
		}
	}
	for name, v := range map[string]string{"grafana_url": r.GrafanaURL, "prometheus_url": r.PrometheusURL, "alertmanager_url": r.AlertmanagerURL,
		"whip_url": r.WHIPURL, "sidecar_url": r.SidecarURL, "support.aws": r.Support.AWS, "support.aws_status": r.Support.AWSStatus,
		"support.elevenlabs": r.Support.ElevenLabs, "support.elevenlabs_status": r.Support.ElevenLabsStatus} {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%w: runbooks.%s %q: want an http(s) URL", ErrInvalidConfig, name, v)
		}
	}
	for _, v := range append([]string{r.TURNURL}, r.STUNURLs...) {
		if !strings.HasPrefix(v, "stun:") && !strings.HasPrefix(v, "turn:") && !strings.HasPrefix(v, "turns:") {
			return fmt.Errorf("%w: runbooks: ICE server %q: want stun:HOST:PORT or turn:HOST:PORT?transport=udp", ErrInvalidConfig, v)
		}
	}
	return nil
}
