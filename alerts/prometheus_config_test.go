package alerts

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/internal/netns"
)

// TestPrometheusYAMLLoads: the generated configuration, with the generated
// rules, is accepted by promtool check config (the real Prometheus parser).
func TestPrometheusYAMLLoads(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		netns.Missing(t, "promtool (Debian package prometheus)")
		return
	}
	cfg, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rules, err := cfg.PrometheusRules().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	rulesPath := filepath.Join(dir, "voicewatch.rules.yml")
	if err := os.WriteFile(rulesPath, rules, 0o644); err != nil {
		t.Fatal(err)
	}
	y := cfg.PrometheusYAML(PrometheusSetup{Interval: time.Second, RuleFiles: []string{rulesPath}, Alertmanager: "127.0.0.1:9093",
		Voice: "127.0.0.1:9100", Sidecar: "127.0.0.1:9464", Labels: map[string]string{"service": "voicewatch", "environment": "test"}})
	path := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(path, y, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtool, "check", "config", path).CombinedOutput(); err != nil {
		t.Fatalf("promtool check config: %v\n%s\n%s", err, out, y)
	}
}
