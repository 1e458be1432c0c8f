package alerts

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func yamlMap(m map[string]float64) string {
	var b strings.Builder
	for _, k := range sortedKeys(m) {
		fmt.Fprintf(&b, "    %s: %v\n", k, m[k])
	}
	return b.String()
}

func TestExportMatchesCommitted(t *testing.T) {
	dir := t.TempDir()
	cfg, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Export(dir); err != nil {
		t.Fatalf("export: %v", err)
	}
	for _, rel := range []string{PathRules, PathAlertmanager, PathCloudWatch} {
		got, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(rel) // the committed copy
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("Export wrote a %s that differs from the committed alerts/%s", rel, rel)
		}
	}

	t.Run("time scale shrinks windows and for", func(t *testing.T) {
		dir := t.TempDir()
		cfg, err := New(Config{}, WithTimeScale(60))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cfg.Export(dir); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(filepath.Join(dir, PathRules))
		for _, want := range []string{"[5s]", "[1h12m]", "for: 3s"} { // 5m/60, 3d/60, probe_for 3m/60
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("scaled rules lack %q", want)
			}
		}
	})
	t.Run("a time scale of 0 is invalid", func(t *testing.T) {
		if _, err := New(Config{}, WithTimeScale(0)); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("err = %v, want ErrInvalidConfig", err)
		}
	})
}

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name, yaml string
		wantErr    string
	}{
		{"empty is defaults", "", ""},
		{"valid", "connection_objective: 0.995\nprobe_for: 5m\ncloudwatch:\n  topic_name: x\n", ""},
		{"unknown key", "connection_objectve: 0.99\n", "field connection_objectve not found"},
		{"objective too low for any page", "completion_objective: 0.8\n", "no page could ever fire"},
		{"objective of 1", "connection_objective: 1\n", "below 1"},
		{"ratio as percent", "provider_error_ratio: 10\n", "e.g. 0.05 for 5%"},
		{"runbook url without slash", "runbook_base_url: https://x/runbooks\n", "must end with \"/\""},
		{"bad subscription", "cloudwatch:\n  subscriptions:\n    - protocol: pager\n      endpoint: x\n", "must be one of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(strings.NewReader(tt.yaml))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want ErrInvalidConfig containing %q", err, tt.wantErr)
			}
		})
	}
}
