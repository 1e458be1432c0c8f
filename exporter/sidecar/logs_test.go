package sidecar

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLogsThroughTheHub: a followed log shows up on /metrics, and when both
// the hub's series limit and the log pipeline's label-value limit drop
// something, both are counted in the one voicewatch_series_dropped_total
// family (two families of that name with different help make /metrics fail).
func TestLogsThroughTheHub(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "voice.log")
	// Event names a foreign app chose: beyond max_label_values they fold
	// into "other" and count as dropped.
	var lines []string
	for _, ev := range []string{"custom.one", "custom.two", "custom.three", "custom.four"} {
		lines = append(lines, `{"time":"2026-11-25T10:00:00Z","level":"INFO","msg":"x","event":"`+ev+`"}`)
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sc := startSidecar(t, `
cardinality: {max_series_per_metric: 1}
logs:
  max_label_values: 1
  sources:
    - {path: `+path+`, format: json, from_start: true, poll_interval: 10ms}
`)
	deadline := time.Now().Add(10 * time.Second)
	var body string
	for {
		code, b := get(t, sc.base+"/metrics")
		if code != 200 {
			t.Fatalf("/metrics: %d %s", code, b)
		}
		body = b
		if strings.Contains(body, `voicewatch_series_dropped_total{metric="voicewatch_log_events_total"} `) &&
			strings.Contains(body, `voicewatch_log_lines_total{class="legitimate"} 4`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("log lines never counted:\n%s", body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := strings.Count(body, "# HELP voicewatch_series_dropped_total"); n != 1 {
		t.Fatalf("%d HELP lines for voicewatch_series_dropped_total", n)
	}
	if !strings.Contains(body, `voicewatch_series_dropped_total{metric="voicewatch_log_events_total"}`) {
		t.Errorf("event-name overflow not counted in the hub family:\n%s", body)
	}
}
