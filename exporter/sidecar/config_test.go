package sidecar

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/exporter/cloudwatch"
	"github.com/voicewatch/voicewatch/exporter/logs"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestExampleConfig(t *testing.T) {
	for _, path := range []string{"testdata/sidecar.yaml", "../../docs/examples/sidecar.yaml"} {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) {
			cfg, err := LoadConfig(path, LoadOptions{Getenv: env(map[string]string{"TURN_SECRET": "s3cret-value", "VOICEWATCH_WHIP_TOKEN": "whip-t0ken-value-0123"})})
			if err != nil {
				t.Fatal(err)
			}
			if len(cfg.Scrape.Targets) != 1 || cfg.Scrape.Targets[0].Labels["service"] != "voice-bot" {
				t.Errorf("scrape targets = %+v", cfg.Scrape.Targets)
			}
			if cfg.CloudWatch == nil || cfg.CloudWatch.Mode != "emf" || cfg.CloudWatch.BufferDatums != 100000 {
				t.Errorf("cloudwatch = %+v (defaults not applied?)", cfg.CloudWatch)
			}
			specs, err := cfg.buildSpecs(defaultProbeEnv())
			if err != nil || len(specs) < 3 {
				t.Fatalf("specs = %d, %v", len(specs), err)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown top-level field", "scrapes: {}\n", "field scrapes not found"},
		{"unknown nested field", "scrape: {targets: [{name: a, url: 'http://x/', intervall: 1s}]}\n", "field intervall not found"},
		{"missing env", "listen: ${NOPE}\n", "environment variable NOPE is not set"},
		{"bad target url", "scrape: {targets: [{name: a, url: 'x'}]}\n", "must be an http:// or https:// URL"},
		{"unknown probe kind", "probes: {suite: {probes: [{name: a, kind: ftp, target: 'x'}]}}\n", `unknown probe kind: "ftp"`},
		{"interval for a missing probe", "probes: {intervals: {nope: 1s}}\n", `no probe named "nope"`},
		{"module with target", "modules: {m: {kind: stun, target: 'stun:x'}}\n", `"target" is not allowed in a module`},
		{"module bad field", "modules: {m: {kind: stun, stun: {transport: [udp]}}}\n", "field transport not found"},
		{"module that cannot work", "modules: {m: {kind: webrtc, webrtc: {greeting: shout}}}\n", `greeting "shout"`},
		{"module without credentials", "modules: {m: {kind: turn}}\n", "no credentials"},
		{"cloudwatch bad mode", "cloudwatch: {mode: push}\n", `mode "push"`},
		{"otlp without endpoint", "otlp: {}\n", "otlp.endpoint must be an http(s) URL"},
		{"suite and file", "probes: {suite_file: a.yaml, suite: {probes: []}}\n", "set suite_file or suite, not both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig(strings.NewReader(tt.yaml), LoadOptions{Getenv: env(nil)})
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("err = %v, want ErrInvalidConfig", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

// An expanded secret never appears in an error message.
func TestConfigErrorsNeverShowSecrets(t *testing.T) {
	const secret = "hunter2-very-secret"
	yaml := "modules: {m: {kind: turn, turn: {password: ${PW}, usrname: x}}}\n"
	_, err := ParseConfig(strings.NewReader(yaml), LoadOptions{Getenv: env(map[string]string{"PW": secret})})
	if err == nil {
		t.Fatal("want an error for the misspelt field")
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatalf("secret in error: %v", err)
	}
}

func TestEmptyConfigIsValid(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "empty.yaml")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != DefaultListen || cfg.ExportInterval != DefaultExportInterval {
		t.Errorf("defaults not applied: %+v", cfg)
	}
}

// TestWithDefaultsIsPure: the optional sections are defaulted in copies
// (the caller's are not written), applying WithDefaults twice changes
// nothing, and an empty file loads as WithDefaults of the zero Config.
func TestWithDefaultsIsPure(t *testing.T) {
	in := Config{OTLP: &OTLPConfig{Endpoint: "http://127.0.0.1:4318/v1/metrics"}, CloudWatch: &cloudwatch.Config{Mode: cloudwatch.ModeEMF},
		Logs: &logs.Config{Sources: []logs.SourceConfig{{Path: "-"}}}}
	out := in.WithDefaults()
	if in.OTLP.Timeout != 0 || in.CloudWatch.Namespace != "" || in.Logs.Sources[0].Format != "" || in.Logs.MaxLabelValues != 0 {
		t.Errorf("WithDefaults changed its input: %+v %+v %+v", *in.OTLP, *in.CloudWatch, *in.Logs)
	}
	if out.OTLP.Timeout != 10*time.Second || out.CloudWatch.Namespace != "VoiceWatch" || out.Logs.Sources[0].Format != "auto" || out.Logs.MaxLabelValues != logs.DefaultMaxLabelValues {
		t.Errorf("WithDefaults = %+v %+v %+v", *out.OTLP, *out.CloudWatch, *out.Logs)
	}
	if again := out.WithDefaults(); !reflect.DeepEqual(again, out) {
		t.Errorf("WithDefaults twice differs:\n%+v\n%+v", again, out)
	}
	loaded, err := ParseConfig(strings.NewReader(""), LoadOptions{Getenv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	want := (Config{}).WithDefaults()
	if err := want.Validate(); err != nil { // Validate decodes the (no) modules, as ParseConfig does
		t.Fatal(err)
	}
	if !reflect.DeepEqual(loaded, want) {
		t.Errorf("empty file =\n%+v\nwant\n%+v", loaded, want)
	}
}
