package cloudwatch

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// parseConfig decodes a cloudwatch block as the sidecar's loader does:
// strictly (an unknown field is an error), then WithDefaults, then
// Validate.
func parseConfig(in string) (Config, error) {
	var c Config
	dec := yaml.NewDecoder(strings.NewReader(in))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, err
	}
	c = c.WithDefaults()
	return c, c.Validate()
}

func TestConfigYAML(t *testing.T) {
	in := `
mode: api
namespace: VoiceWatch/Prod
region: eu-west-1
static_dimensions: {Service: voice, Environment: prod}
dimensions:
  default: [outcome]
  metrics:
    voice_ice_selected_pairs_total: [local_type, remote_type]
buffer_datums: 5000
retry: {max_attempts: 3, initial_backoff: 100ms}
`
	c, err := parseConfig(in)
	if err != nil {
		t.Fatal(err)
	}
	if c.Namespace != "VoiceWatch/Prod" || c.BufferDatums != 5000 || c.MaxDatumsPerRequest != 1000 || c.StorageResolution != 60 ||
		c.Retry.MaxAttempts != 3 || c.Retry.InitialBackoff != 100*time.Millisecond || c.Retry.MaxBackoff != 5*time.Second ||
		len(c.Dimensions.Metrics["voice_ice_selected_pairs_total"]) != 1 || len(c.Dimensions.Metrics["voice_ice_selected_pairs_total"][0]) != 2 || c.StaticDimensions["Service"] != "voice" {
		t.Errorf("decoded config = %+v", c)
	}
}

func TestConfigInvalid(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"unknown field", "namespce: X", "field namespce not found"},
		{"mode", "mode: push", `mode "push": use "api"`},
		{"reserved namespace", "namespace: AWS/EC2", "reserved for AWS services"},
		{"storage resolution", "storage_resolution: 10", "use 60 (standard) or 1"},
		{"request size", "max_datums_per_request: 5000", "between 1 and 1000"},
		{"endpoint", "endpoint: localhost:4566", "http:// or https:// URL"},
		{"backoff order", "retry: {initial_backoff: 2s, max_backoff: 1s}", "max_backoff >= initial_backoff"},
		{"duplicate label", "dimensions: {default: [a, a]}", "listed twice"},
		{"static dimension also a label", "static_dimensions: {Service: v}\ndimensions: {metrics: {m: [Service]}}", "also a static dimension"},
		{"too many dimensions", "dimensions: {default: [a1,a2,a3,a4,a5,a6,a7,a8,a9,a10,a11,a12,a13,a14,a15,a16,a17,a18,a19,a20,a21,a22,a23,a24,a25,a26,a27,a28,a29,a30,a31]}", "exceed CloudWatch's 30 dimensions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig(tt.yaml)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if tt.name != "unknown field" && !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("err = %v, want ErrInvalidConfig", err)
			}
		})
	}
}

func TestNewValidates(t *testing.T) {
	_, err := New(Config{Mode: "emf", StorageResolution: 5})
	if !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("New with invalid config: err = %v, want ErrInvalidConfig", err)
	}
}
