package dashboards_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/dashboards"
)

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr string // substring; "" means valid
		check   func(t *testing.T, c dashboards.Config)
	}{
		{name: "empty gives defaults", yaml: "", check: func(t *testing.T, c dashboards.Config) {
			if c.VoiceJob != "voice" || c.SidecarJob != "voicewatch-sidecar" || c.CloudWatch.Namespace != "VoiceWatch" || c.ICEGatheringTarget != 3*time.Second {
				t.Errorf("defaults not applied: %+v", c)
			}
		}},
		{name: "overrides", yaml: "voice_job: bot\nice_gathering_target: 2s\ncloudwatch:\n  namespace: Custom\n", check: func(t *testing.T, c dashboards.Config) {
			if c.VoiceJob != "bot" || c.ICEGatheringTarget != 2*time.Second || c.CloudWatch.Namespace != "Custom" || c.CloudWatch.Region != "us-east-1" {
				t.Errorf("overrides not applied: %+v", c)
			}
		}},
		{name: "unknown field", yaml: "voice_jobs: bot\n", wantErr: "field voice_jobs not found"},
		{name: "objective as percent", yaml: "connection_objective: 99\n", wantErr: "connection_objective: 99 is not a ratio strictly between 0 and 1 (e.g. 0.99 for 99 %)"},
		{name: "bad window", yaml: "slo_window: 30 days\n", wantErr: `slo_window: "30 days" is not a PromQL duration`},
		{name: "bad label", yaml: "environment_label: env-name\n", wantErr: `environment_label: "env-name" is not a Prometheus label name`},
		{name: "bad period", yaml: "cloudwatch:\n  period: 90s\n", wantErr: "cloudwatch.period: 1m30s must be a whole number of minutes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := dashboards.LoadConfig(strings.NewReader(tt.yaml))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				tt.check(t, c)
				return
			}
			if !errors.Is(err, dashboards.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want ErrInvalidConfig containing %q", err, tt.wantErr)
			}
		})
	}
}
