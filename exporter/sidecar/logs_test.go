package sidecar

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLogsThroughTheHub: a followed log shows up on /metrics, and the log
// pipeline's label-value overflows are counted in the hub's one
// voicewatch_series_dropped_total family (two families of that name with
// different help would make every /metrics request fail).
func TestLogsThroughTheHub(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "access.log")
	lines := []string{
		`203.0.113.9 - - [25/Nov/2026:10:00:00 +0000] "GET /console/bea-helpsets/x.ShellSession HTTP/1.1" 404 0`,
		`203.0.113.9 - - [25/Nov/2026:10:00:01 +0000] "GET /bsguest.cgi?email=x;/usr/sbin/sendmail HTTP/1.1" 404 0`,
		`203.0.113.9 - - [25/Nov/2026:10:00:02 +0000] "GET /.env HTTP/1.1" 404 0`,
		`198.51.100.1 - - [25/Nov/2026:10:00:03 +0000] "GET /whip HTTP/1.1" 200 10`,
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sc := startSidecar(t, `
logs:
  max_label_values: 1
  sources:
    - {path: `+path+`, format: clf, from_start: true, poll_interval: 10ms}
`)
	deadline := time.Now().Add(10 * time.Second)
	var body string
	for {
		code, b := get(t, sc.base+"/metrics")
		if code != 200 {
			t.Fatalf("/metrics: %d %s", code, b)
		}
		body = b
		if strings.Contains(body, `voicewatch_log_lines_total{class="legitimate"} 1`) {
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
	if !strings.Contains(body, `voicewatch_series_dropped_total{metric="voicewatch_log_scanner_requests_total"}`) {
		t.Errorf("scanner-pattern overflow not counted in the hub family:\n%s", body)
	}
}
