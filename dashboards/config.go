package dashboards

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/voicewatch/voicewatch/internal/slo"
	"github.com/voicewatch/voicewatch/internal/yamlenv"
)

// Config describes the environment the dashboards are generated for. The zero
// value of every field means "use the default" documented on the field, so
// the committed JSON is generated from Config{}.
type Config struct {
	// EnvironmentLabel is the target label that the $environment variable
	// filters on. Default "environment".
	EnvironmentLabel string `yaml:"environment_label"`
	// ServiceLabel is the target label that the $service variable filters
	// on. Default "service".
	ServiceLabel string `yaml:"service_label"`
	// Objectives are the block the alerts share (package slo): voice_job
	// and sidecar_job (regular expressions here), connection_objective and
	// completion_objective (the error budget stats and the objective
	// thresholds) and ice_gathering_p95 (the default ICE gathering
	// threshold). Defaults "voice", "voicewatch-sidecar", 0.99, 0.90, 3s.
	slo.Objectives `yaml:",inline"`
	// UIDPrefix prefixes every dashboard UID. Default "voicewatch-".
	UIDPrefix string `yaml:"uid_prefix"`
	// FolderUID is the Grafana folder that apply writes into. Default "voicewatch".
	FolderUID string `yaml:"folder_uid"`
	// FolderTitle is the title of that folder. Default "voicewatch".
	FolderTitle string `yaml:"folder_title"`

	// SLOWindow is the PromQL range of the error budget stats. Default "30d".
	SLOWindow string `yaml:"slo_window"`

	// ConnectionSuccessTarget is the red/green threshold of the connection
	// success panels. Default 0.95 (the incident report's target).
	ConnectionSuccessTarget float64 `yaml:"connection_success_target"`
	// CompletionTarget is the red/green threshold of the completion panels.
	// Default: completion_objective (0.90).
	CompletionTarget float64 `yaml:"completion_target"`
	// ICEGatheringTarget is the threshold of the ICE gathering panels.
	// Default: ice_gathering_p95 (3s), the alerts' ticket threshold.
	ICEGatheringTarget time.Duration `yaml:"ice_gathering_target"`

	// CloudWatch holds the CloudWatch dashboard settings.
	CloudWatch CloudWatchConfig `yaml:"cloudwatch"`
	// Provisioning holds the Grafana provisioning file settings.
	Provisioning ProvisioningConfig `yaml:"provisioning"`
}

// ProvisioningConfig describes the Grafana provisioning files that let
// docker compose load the dashboards at start.
type ProvisioningConfig struct {
	// DashboardsPath is where the Grafana container sees dashboards/grafana.
	// Default "/var/lib/grafana/dashboards/voicewatch".
	DashboardsPath string `yaml:"dashboards_path"`
	// PrometheusURL is the Prometheus the provisioned data source points at.
	// Default "http://prometheus:9090".
	PrometheusURL string `yaml:"prometheus_url"`
	// DatasourceUID is the UID of the provisioned data source. Default "prometheus".
	DatasourceUID string `yaml:"datasource_uid"`
}

// CloudWatchConfig describes the CloudWatch dashboard.
type CloudWatchConfig struct {
	// DashboardName is the CloudWatch dashboard name. Default "voicewatch".
	DashboardName string `yaml:"dashboard_name"`
	// CloudWatch holds namespace, service and environment: where the
	// sidecar publishes; every widget selects our metrics by the static
	// dimensions service and environment (shared with the alarms; package
	// slo). Defaults "VoiceWatch", "voicewatch" and "production".
	slo.CloudWatch `yaml:",inline"`
	// Region is the region every widget reads from. Default "us-east-1".
	Region string `yaml:"region"`
	// ECSCluster restricts the ECS widgets to one cluster. Default "" (all
	// clusters, through a SEARCH expression).
	ECSCluster string `yaml:"ecs_cluster"`
	// LoadBalancer restricts the ALB widgets to one load balancer, in the
	// dimension form "app/NAME/ID". Default "" (all load balancers).
	LoadBalancer string `yaml:"load_balancer"`
	// Period is the widget period. Default 5m.
	Period time.Duration `yaml:"period"`
}

var promDuration = regexp.MustCompile(`^[0-9]+(ms|s|m|h|d|w|y)$`)

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	c.Objectives = c.Objectives.WithDefaults()
	c.EnvironmentLabel = cmp.Or(c.EnvironmentLabel, "environment")
	c.ServiceLabel = cmp.Or(c.ServiceLabel, "service")
	c.UIDPrefix = cmp.Or(c.UIDPrefix, "voicewatch-")
	c.FolderUID = cmp.Or(c.FolderUID, "voicewatch")
	c.FolderTitle = cmp.Or(c.FolderTitle, "voicewatch")
	c.SLOWindow = cmp.Or(c.SLOWindow, "30d")
	c.ConnectionSuccessTarget = cmp.Or(c.ConnectionSuccessTarget, 0.95)
	c.CompletionTarget = cmp.Or(c.CompletionTarget, c.CompletionObjective)
	c.ICEGatheringTarget = cmp.Or(c.ICEGatheringTarget, c.ICEGatheringP95)
	c.CloudWatch = c.CloudWatch.WithDefaults()
	c.Provisioning = c.Provisioning.WithDefaults()
	return c
}

// WithDefaults returns c with every zero field set to its default.
func (c CloudWatchConfig) WithDefaults() CloudWatchConfig {
	c.CloudWatch = c.CloudWatch.WithDefaults()
	c.DashboardName = cmp.Or(c.DashboardName, "voicewatch")
	c.Region = cmp.Or(c.Region, slo.DefaultRegion)
	c.Period = cmp.Or(c.Period, 5*time.Minute)
	return c
}

// WithDefaults returns c with every zero field set to its default.
func (c ProvisioningConfig) WithDefaults() ProvisioningConfig {
	c.DashboardsPath = cmp.Or(c.DashboardsPath, "/var/lib/grafana/dashboards/voicewatch")
	c.PrometheusURL = cmp.Or(c.PrometheusURL, "http://prometheus:9090")
	c.DatasourceUID = cmp.Or(c.DatasourceUID, "prometheus")
	return c
}

// Validate reports every problem of a config with defaults applied
// (WithDefaults) at once.
func (c Config) Validate() error {
	var errs []error
	ratio := func(name string, v float64) {
		if v <= 0 || v >= 1 {
			errs = append(errs, fmt.Errorf("%s: %v is not a ratio strictly between 0 and 1 (e.g. 0.99 for 99 %%)", name, v))
		}
	}
	ratio("connection_objective", c.ConnectionObjective)
	ratio("completion_objective", c.CompletionObjective)
	ratio("connection_success_target", c.ConnectionSuccessTarget)
	ratio("completion_target", c.CompletionTarget)
	if c.ICEGatheringP95 < 0 {
		errs = append(errs, fmt.Errorf("ice_gathering_p95: %v must be positive", c.ICEGatheringP95))
	}
	if c.ICEGatheringTarget < 0 {
		errs = append(errs, fmt.Errorf("ice_gathering_target: %v must be positive", c.ICEGatheringTarget))
	}
	if !promDuration.MatchString(c.SLOWindow) {
		errs = append(errs, fmt.Errorf("slo_window: %q is not a PromQL duration such as 30d or 28d", c.SLOWindow))
	}
	for name, v := range map[string]string{"environment_label": c.EnvironmentLabel, "service_label": c.ServiceLabel} {
		if !labelName.MatchString(v) {
			errs = append(errs, fmt.Errorf("%s: %q is not a Prometheus label name", name, v))
		}
	}
	for name, v := range map[string]string{"voice_job": c.VoiceJob, "sidecar_job": c.SidecarJob} {
		if strings.ContainsAny(v, "\"\\`") {
			errs = append(errs, fmt.Errorf("%s: %q must not contain quotes or backslashes", name, v))
		}
	}
	for name, v := range map[string]string{"cloudwatch.service": c.CloudWatch.Service, "cloudwatch.environment": c.CloudWatch.Environment} {
		if strings.ContainsAny(v, "\"'\\") {
			errs = append(errs, fmt.Errorf("%s: %q must not contain quotes or backslashes (it is part of SEARCH expressions)", name, v))
		}
	}
	if c.CloudWatch.Period < time.Minute || c.CloudWatch.Period%time.Minute != 0 {
		errs = append(errs, fmt.Errorf("cloudwatch.period: %v must be a whole number of minutes (CloudWatch periods are multiples of 60 s)", c.CloudWatch.Period))
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrInvalidConfig, errors.Join(errs...))
}

var labelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// LoadConfig decodes a YAML config strictly (unknown fields are errors),
// applies defaults and validates it. An empty document yields the defaults.
func LoadConfig(r io.Reader) (Config, error) {
	return yamlenv.Load[Config](r, func(err error) error {
		return fmt.Errorf("%w: decode YAML: %w", ErrInvalidConfig, err)
	})
}
