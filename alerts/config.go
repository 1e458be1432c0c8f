package alerts

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/voicewatch/voicewatch/internal/slo"
	"github.com/voicewatch/voicewatch/internal/yamlenv"
)

// Config selects what the generated alerts watch and how they notify. The zero
// value of every field means "use the default" documented on the field.
type Config struct {
	// Service is the value of the `service` label put on every alert;
	// Alertmanager groups and inhibits by it. Default "voicewatch".
	Service string `yaml:"service"`
	// Objectives are the block the dashboards share (package slo): the
	// voice_job and sidecar_job labels, connection_objective and
	// completion_objective (each must be in (0.8333, 1) so that at least the
	// 6× page is reachable) and ice_gathering_p95, the ICE gathering p95
	// above which a ticket is raised.
	slo.Objectives `yaml:",inline"`
	// RunbookBaseURL prefixes every runbook_url annotation; the runbook file
	// name (e.g. "voice-media-core-down.md") is appended. Default
	// "https://github.com/voicewatch/voicewatch/blob/main/docs/runbooks/".
	RunbookBaseURL string `yaml:"runbook_base_url"`
	// ProviderErrorRatio is the STT/TTS error ratio per provider above which
	// on-call is paged. Default 0.10.
	ProviderErrorRatio float64 `yaml:"provider_error_ratio"`
	// HTTPServerErrorRatio is the ratio of legitimate HTTP requests answered
	// with 5xx above which a ticket is raised. Default 0.05.
	HTTPServerErrorRatio float64 `yaml:"http_server_error_ratio"`
	// ProbeFor is the `for` of the probe failure alerts: a probe must keep
	// failing this long before the alert fires, so one failed run (a blip) at
	// a probe interval shorter than ProbeFor never pages. Default 3m.
	ProbeFor model.Duration `yaml:"probe_for"`
	// MOSP10 is the 10th percentile of voice_session_mos below which a
	// ticket is raised. Default 3.5 (G.107's "some users dissatisfied").
	MOSP10 float64 `yaml:"mos_p10"`
	// MOSMinSessions is how many sessions must have ended in the 30m window
	// before the MOS ticket can fire. Default 10.
	MOSMinSessions int `yaml:"mos_min_sessions"`
	// RelayOnlyMinCalls is how many calls must have connected in the 30m
	// window, every one through a TURN relay, before the direct-media
	// ticket can fire. Default 5.
	RelayOnlyMinCalls int `yaml:"relay_only_min_calls"`
	// ProbeLossRatio is the probe_packet_loss_ratio above which a ticket
	// is raised. Default 0.05.
	ProbeLossRatio float64 `yaml:"probe_loss_ratio"`
	// CertExpiryWarning raises a ticket when a probed certificate expires
	// within it. Default 336h (14 days).
	CertExpiryWarning model.Duration `yaml:"cert_expiry_warning"`
	// TimeScale divides every window and `for` duration, so an end-to-end
	// test can see alerts fire in seconds. Committed files use 1. Default 1.
	TimeScale int `yaml:"time_scale"`
	// Alertmanager configures the generated Alertmanager receivers.
	Alertmanager AlertmanagerConfig `yaml:"alertmanager"`
	// CloudWatch configures the CloudWatch alarms, metric filters and SNS.
	CloudWatch CloudWatchConfig `yaml:"cloudwatch"`
	// Runbooks names the owners, escalation path, provider support links
	// and deployment that the generated runbooks render.
	Runbooks RunbookConfig `yaml:"runbooks"`
}

// AlertmanagerConfig configures the receivers of the generated Alertmanager
// configuration. Secrets are never written into the file: only paths of
// files that hold them (Alertmanager's *_file fields) are.
type AlertmanagerConfig struct {
	// PagerDutyRoutingKeyFile is the file holding the PagerDuty Events v2
	// routing key of the pager receiver. Default
	// "/etc/alertmanager/secrets/pagerduty_routing_key".
	PagerDutyRoutingKeyFile string `yaml:"pagerduty_routing_key_file"`
	// PagerWebhookURL, when set, adds a webhook (e.g. an Opsgenie or in-house
	// bridge) to the pager receiver. It is committed in clear, so it must not
	// embed a token. Default "" (none).
	PagerWebhookURL string `yaml:"pager_webhook_url"`
	// SlackAPIURLFile is the file holding the Slack incoming-webhook URL of
	// the ticket receiver. Default "/etc/alertmanager/secrets/slack_api_url".
	SlackAPIURLFile string `yaml:"slack_api_url_file"`
	// SlackChannel is the ticket channel. Default "#voice-alerts".
	SlackChannel string `yaml:"slack_channel"`
	// EmailTo, when set, also sends tickets by email. Default "" (none).
	EmailTo string `yaml:"email_to"`
	// EmailFrom is the sender address. Default "alertmanager@localhost".
	EmailFrom string `yaml:"email_from"`
	// EmailSmarthost is the SMTP relay host:port. Default "localhost:587".
	EmailSmarthost string `yaml:"email_smarthost"`
	// EmailAuthUsername is the SMTP user. Default "" (no auth).
	EmailAuthUsername string `yaml:"email_auth_username"`
	// EmailAuthPasswordFile is the file holding the SMTP password. Default
	// "/etc/alertmanager/secrets/smtp_password" when EmailAuthUsername is set.
	EmailAuthPasswordFile string `yaml:"email_auth_password_file"`
}

// Defaults of Config.
const (
	DefaultService             = slo.DefaultService
	DefaultVoiceJob            = slo.DefaultVoiceJob
	DefaultSidecarJob          = slo.DefaultSidecarJob
	DefaultRunbookBaseURL      = "https://github.com/voicewatch/voicewatch/blob/main/docs/runbooks/"
	DefaultConnectionObjective = slo.DefaultConnectionObjective
	DefaultCompletionObjective = slo.DefaultCompletionObjective
	DefaultICEGatheringP95     = slo.DefaultICEGatheringP95
	DefaultProviderErrorRatio  = 0.10
	DefaultHTTPServerErrRatio  = 0.05
	DefaultProbeFor            = 3 * time.Minute
)

// Option changes a Config after defaults are applied (used by [New]).
type Option func(*Config)

// WithTimeScale divides every window and `for` by n (for end-to-end tests).
func WithTimeScale(n int) Option { return func(c *Config) { c.TimeScale = n } }

// WithRunbookBaseURL sets the runbook_url prefix.
func WithRunbookBaseURL(u string) Option { return func(c *Config) { c.RunbookBaseURL = u } }

// WithJobs sets the Prometheus job labels of the media core and the sidecar.
func WithJobs(voice, sidecar string) Option {
	return func(c *Config) { c.VoiceJob, c.SidecarJob = voice, sidecar }
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	c.Objectives = c.Objectives.WithDefaults()
	c.Service = cmp.Or(c.Service, DefaultService)
	c.RunbookBaseURL = cmp.Or(c.RunbookBaseURL, DefaultRunbookBaseURL)
	c.ProviderErrorRatio = cmp.Or(c.ProviderErrorRatio, DefaultProviderErrorRatio)
	c.HTTPServerErrorRatio = cmp.Or(c.HTTPServerErrorRatio, DefaultHTTPServerErrRatio)
	c.MOSP10 = cmp.Or(c.MOSP10, DefaultMOSP10)
	c.ProbeLossRatio = cmp.Or(c.ProbeLossRatio, DefaultProbeLossRatio)
	c.MOSMinSessions = cmp.Or(c.MOSMinSessions, DefaultMOSMinSessions)
	c.RelayOnlyMinCalls = cmp.Or(c.RelayOnlyMinCalls, DefaultRelayOnlyMinCalls)
	c.CertExpiryWarning = cmp.Or(c.CertExpiryWarning, model.Duration(DefaultCertExpiryWarning))
	c.ProbeFor = cmp.Or(c.ProbeFor, model.Duration(DefaultProbeFor))
	c.TimeScale = cmp.Or(c.TimeScale, 1)
	a := &c.Alertmanager
	a.PagerDutyRoutingKeyFile = cmp.Or(a.PagerDutyRoutingKeyFile, "/etc/alertmanager/secrets/pagerduty_routing_key")
	a.SlackAPIURLFile = cmp.Or(a.SlackAPIURLFile, "/etc/alertmanager/secrets/slack_api_url")
	a.SlackChannel = cmp.Or(a.SlackChannel, "#voice-alerts")
	a.EmailFrom = cmp.Or(a.EmailFrom, "alertmanager@localhost")
	a.EmailSmarthost = cmp.Or(a.EmailSmarthost, "localhost:587")
	if a.EmailAuthUsername != "" {
		a.EmailAuthPasswordFile = cmp.Or(a.EmailAuthPasswordFile, "/etc/alertmanager/secrets/smtp_password")
	}
	c.CloudWatch = c.CloudWatch.WithDefaults()
	c.Runbooks = c.Runbooks.WithDefaults()
	return c
}

// Validate reports the first out-of-range value of a config with defaults
// applied (WithDefaults), with a hint to fix it.
func (c Config) Validate() error {
	for _, o := range []struct {
		name string
		v    float64
	}{{"connection_objective", c.ConnectionObjective}, {"completion_objective", c.CompletionObjective}} {
		// The 6× page needs 6·(1-objective) < 1, else it can never fire.
		if math.IsNaN(o.v) || o.v <= 1-1.0/slowPageFactor || o.v >= 1 {
			return fmt.Errorf("%w: %s %v: must be above %.4f (below it a %g× burn rate needs more than 100%% errors, so no page could ever fire) and below 1",
				ErrInvalidConfig, o.name, o.v, 1-1.0/slowPageFactor, slowPageFactor)
		}
	}
	for _, r := range []struct {
		name string
		v    float64
	}{{"provider_error_ratio", c.ProviderErrorRatio}, {"http_server_error_ratio", c.HTTPServerErrorRatio}} {
		if math.IsNaN(r.v) || r.v <= 0 || r.v >= 1 {
			return fmt.Errorf("%w: %s %v: must be a ratio between 0 and 1 exclusive (e.g. 0.05 for 5%%)", ErrInvalidConfig, r.name, r.v)
		}
	}
	if math.IsNaN(c.ProbeLossRatio) || c.ProbeLossRatio < 0 || c.ProbeLossRatio >= 1 {
		return fmt.Errorf("%w: probe_loss_ratio %v: must be a ratio between 0 and 1 exclusive (e.g. 0.05 for 5%%)", ErrInvalidConfig, c.ProbeLossRatio)
	}
	if math.IsNaN(c.MOSP10) || c.MOSP10 != 0 && (c.MOSP10 < 1 || c.MOSP10 > 4.5) {
		return fmt.Errorf("%w: mos_p10 %v: must be a MOS between 1 and 4.5 (e.g. 3.5)", ErrInvalidConfig, c.MOSP10)
	}
	if c.MOSMinSessions < 0 || c.RelayOnlyMinCalls < 0 || c.CertExpiryWarning < 0 {
		return fmt.Errorf("%w: mos_min_sessions, relay_only_min_calls and cert_expiry_warning must not be negative", ErrInvalidConfig)
	}
	if c.ICEGatheringP95 < 0 {
		return fmt.Errorf("%w: ice_gathering_p95 %v: must be positive (e.g. 3s)", ErrInvalidConfig, c.ICEGatheringP95)
	}
	if c.ProbeFor < 0 {
		return fmt.Errorf("%w: probe_for %v: must be positive (e.g. 3m)", ErrInvalidConfig, c.ProbeFor)
	}
	if c.TimeScale < 1 {
		return fmt.Errorf("%w: time_scale %d: must be 1 (real windows) or more", ErrInvalidConfig, c.TimeScale)
	}
	for name, v := range map[string]string{"service": c.Service, "voice_job": c.VoiceJob, "sidecar_job": c.SidecarJob} {
		if strings.ContainsAny(v, "\"\\\n") {
			return fmt.Errorf("%w: %s %q: must not contain quotes, backslashes or newlines", ErrInvalidConfig, name, v)
		}
	}
	if !strings.HasSuffix(c.RunbookBaseURL, "/") {
		return fmt.Errorf("%w: runbook_base_url %q: must end with \"/\" (runbook file names are appended)", ErrInvalidConfig, c.RunbookBaseURL)
	}
	if err := c.Runbooks.Validate(); err != nil {
		return err
	}
	return c.CloudWatch.Validate()
}

// New returns cfg with defaults applied and opts applied on top, validated.
func New(cfg Config, opts ...Option) (Config, error) {
	c := cfg.WithDefaults()
	for _, o := range opts {
		o(&c)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// LoadConfig decodes a YAML config strictly (unknown fields are errors),
// applies defaults and validates it.
func LoadConfig(r io.Reader) (Config, error) {
	return yamlenv.Load[Config](r, func(err error) error {
		return fmt.Errorf("%w: %w (see the field list in alerts.Config)", ErrInvalidConfig, err)
	})
}

// scale divides d by the time scale.
func (c Config) scale(d time.Duration) model.Duration {
	return model.Duration(d / time.Duration(c.TimeScale))
}
