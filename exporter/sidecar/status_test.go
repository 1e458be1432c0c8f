package sidecar

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// logEvents sends every log message to ch.
type logEvents struct{ ch chan string }

func (h *logEvents) Enabled(context.Context, slog.Level) bool { return true }
func (h *logEvents) Handle(_ context.Context, r slog.Record) error {
	select {
	case h.ch <- r.Message:
	default:
	}
	return nil
}
func (h *logEvents) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logEvents) WithGroup(string) slog.Handler      { return h }

func waitLog(t *testing.T, ch chan string, msg string) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case m := <-ch:
			if m == msg {
				return
			}
		case <-timeout:
			t.Fatalf("no %q log event", msg)
		}
	}
}

// Scheduled probes publish their latest result on /metrics and the status
// page, which escapes what it shows; failures are logged once.
func TestScheduledProbesStatusPageAndMetrics(t *testing.T) {
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	defer failing.Close()
	ev := &logEvents{ch: make(chan string, 64)}
	sc := startSidecar(t, fmt.Sprintf(`
probes:
  interval: 1h
  suite:
    probes:
      - {name: "<script>alert(1)</script>", kind: http, target: %q}
`, failing.URL), WithJitter(func(time.Duration) time.Duration { return 0 }), WithLogger(slog.New(ev)))
	waitLog(t, ev.ch, "probe failing")

	_, page := get(t, sc.base+"/")
	if strings.Contains(page, "<script>alert(1)") {
		t.Fatal("status page does not escape probe names")
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") || !strings.Contains(page, "FAIL") {
		t.Errorf("status page lacks the failing probe:\n%s", page)
	}
	if !strings.Contains(page, "Recent failures") || strings.Count(page, failing.URL) < 2 {
		t.Errorf("recent failures not listed:\n%s", page)
	}
	_, metrics := get(t, sc.base+"/metrics")
	want := fmt.Sprintf(`probe_success{kind="http",probe="<script>alert(1)</script>",target=%q} 0`, failing.URL)
	if !strings.Contains(metrics, want) {
		t.Errorf("/metrics lacks %s:\n%s", want, metrics)
	}
	code, _ := get(t, sc.base+"/-/ready")
	if code != 200 {
		t.Errorf("/-/ready = %d", code)
	}
}

// The cardinality limiter applies to everything /metrics publishes.
func TestHubCardinalityGuard(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for i := range 50 {
			fmt.Fprintf(w, "attack_total{path=\"/p%d\"} 1\n", i)
		}
	}))
	defer srv.Close()
	sc := startSidecar(t, fmt.Sprintf(`
scrape: {interval: 1h, targets: [{name: web, url: %q}]}
cardinality: {max_series_per_metric: 10}
`, srv.URL))
	sc.gen.Load().scraper.ScrapeAll(context.Background())
	_, metrics := get(t, sc.base+"/metrics")
	if n := strings.Count(metrics, "\nattack_total{"); n != 10 {
		t.Errorf("published %d attack_total series, want 10", n)
	}
	_, metrics = get(t, sc.base+"/metrics")
	if !strings.Contains(metrics, `voicewatch_series_dropped_total{metric="attack_total"} 40`) {
		t.Errorf("drops not counted:\n%s", metrics)
	}
}
