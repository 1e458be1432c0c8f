package scrape

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/voicewatch/voicewatch/exporter/sidecarmetrics"
	"github.com/voicewatch/voicewatch/voice"
	"github.com/voicewatch/voicewatch/voice/mediacoretest"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// startVoice starts the real media core on loopback and returns its
// /metrics URL.
func startVoice(t *testing.T) string {
	t.Helper()
	_, base := mediacoretest.Start(t, mediacoretest.LoopbackConfig(t),
		voice.WithRegistry(prometheus.NewRegistry()), voice.WithLogger(slog.New(slog.DiscardHandler)))
	return base + "/metrics"
}

// badTargets serves a malformed, a huge and a slow endpoint. The slow one
// answers only when its request ends or the test does.
func badTargets(t *testing.T) (base string) {
	t.Helper()
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/malformed", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("voice_up{ 1\n"))
	})
	mux.HandleFunc("/huge", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("# padding comment line\n", 10000)))
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	mux.HandleFunc("/status", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "nope", http.StatusServiceUnavailable)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { close(release); srv.Close() })
	return srv.URL
}

func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func healthValue(t *testing.T, s *Scraper, metric string, labels ...string) float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(s)
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range fams {
		if mf.GetName() != metric {
			continue
		}
	next:
		for _, m := range mf.Metric {
			for i := 0; i < len(labels); i += 2 {
				found := false
				for _, l := range m.Label {
					if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
						found = true
					}
				}
				if !found {
					continue next
				}
			}
			if m.Gauge != nil {
				return m.Gauge.GetValue()
			}
			return m.Counter.GetValue()
		}
	}
	t.Fatalf("%s%v not found", metric, labels)
	return 0
}

func findFamily(fams []*dto.MetricFamily, name string) *dto.MetricFamily {
	for _, mf := range fams {
		if mf.GetName() == name {
			return mf
		}
	}
	return nil
}

func TestScrapeMediaCoreBesideBadTargets(t *testing.T) {
	voiceURL := startVoice(t)
	bad := badTargets(t)
	cfg := Config{
		Interval: time.Hour, Timeout: 300 * time.Millisecond, MaxBodyBytes: 64 << 10,
		Targets: []TargetConfig{
			{Name: "voice", URL: voiceURL, Labels: map[string]string{"job": "voice", "env": "test"}},
			{Name: "malformed", URL: bad + "/malformed"},
			{Name: "huge", URL: bad + "/huge"},
			{Name: "slow", URL: bad + "/slow"},
			{Name: "status", URL: bad + "/status"},
			{Name: "down", URL: "http://" + closedAddr(t) + "/metrics"},
		},
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.ScrapeAll(context.Background())

	fams, err := s.Gather()
	if err != nil {
		t.Fatal(err)
	}
	mf := findFamily(fams, voicemetrics.MetricSessionsStarted)
	if mf == nil || len(mf.Metric) != 1 {
		t.Fatalf("%s not scraped from the media core: %v", voicemetrics.MetricSessionsStarted, mf)
	}
	got := map[string]string{}
	for _, l := range mf.Metric[0].Label {
		got[l.GetName()] = l.GetValue()
	}
	if got["job"] != "voice" || got["env"] != "test" {
		t.Errorf("labels = %v, want job=voice env=test", got)
	}
	// Only the good target's series are published.
	for _, mf := range fams {
		for _, m := range mf.Metric {
			for _, l := range m.Label {
				if l.GetName() == "job" && l.GetValue() != "voice" {
					t.Errorf("series from a failed target published: %s %v", mf.GetName(), m.Label)
				}
			}
		}
	}

	tests := []struct {
		target, reason string
		up             float64
	}{
		{"voice", "", 1},
		{"malformed", ReasonParse, 0},
		{"huge", ReasonTooLarge, 0},
		{"slow", ReasonTimeout, 0},
		{"status", ReasonHTTPStatus, 0},
		{"down", ReasonUnreachable, 0},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			if v := healthValue(t, s, sidecarmetrics.MetricScrapeUp, "target", tt.target); v != tt.up {
				t.Errorf("up = %v, want %v", v, tt.up)
			}
			if tt.reason == "" {
				if v := healthValue(t, s, sidecarmetrics.MetricScrapeSamples, "target", tt.target); v < 10 {
					t.Errorf("samples = %v, want the media core's metrics", v)
				}
				return
			}
			if v := healthValue(t, s, sidecarmetrics.MetricScrapeErrors, "target", tt.target, "reason", tt.reason); v != 1 {
				t.Errorf("errors{reason=%s} = %v, want 1", tt.reason, v)
			}
		})
	}
}

// A target that never answers does not delay the others under Run.
func TestRunSlowTargetDoesNotBlockOthers(t *testing.T) {
	bad := badTargets(t)
	ev := &eventHandler{ch: make(chan string, 16)}
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("g 1\n"))
	}))
	defer good.Close()
	s, err := New(Config{Interval: time.Hour, Timeout: time.Hour, Targets: []TargetConfig{
		{Name: "slow", URL: bad + "/slow"}, {Name: "good", URL: good.URL},
	}}, WithJitter(func(time.Duration) time.Duration { return 0 }), WithLogger(slog.New(ev)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.Run(ctx); close(done) }()
	timeout := time.After(10 * time.Second)
	for got := ""; got != "target up good"; {
		select {
		case got = <-ev.ch:
		case <-timeout:
			t.Fatal("good target not scraped while the slow one hangs")
		}
	}
	if v := healthValue(t, s, sidecarmetrics.MetricScrapeUp, "target", "good"); v != 1 {
		t.Errorf("up = %v", v)
	}
	cancel()
	<-done
	// Cancelling a hanging scrape is not counted against the target.
	if v := healthValue(t, s, sidecarmetrics.MetricScrapeErrors, "target", "slow", "reason", ReasonTimeout); v != 0 {
		t.Errorf("shutdown counted as a timeout: %v", v)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"missing name", Config{Targets: []TargetConfig{{URL: "http://x/metrics"}}}, "name is required"},
		{"duplicate", Config{Targets: []TargetConfig{{Name: "a", URL: "http://x/"}, {Name: "a", URL: "http://y/"}}}, `name "a" already used`},
		{"bad url", Config{Targets: []TargetConfig{{Name: "a", URL: "x:9100"}}}, "must be an http:// or https:// URL"},
		{"timeout above interval", Config{Targets: []TargetConfig{{Name: "a", URL: "http://x/", Interval: time.Second, Timeout: 2 * time.Second}}}, "is longer than interval"},
		{"bad label", Config{Targets: []TargetConfig{{Name: "a", URL: "http://x/", Labels: map[string]string{"1x": "v"}}}}, "not a valid Prometheus label name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// eventHandler sends "message target" of every log record to ch.
type eventHandler struct{ ch chan string }

func (h *eventHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *eventHandler) Handle(_ context.Context, r slog.Record) error {
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "target" {
			msg += " " + a.Value.String()
		}
		return true
	})
	select {
	case h.ch <- msg:
	default:
	}
	return nil
}
func (h *eventHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *eventHandler) WithGroup(string) slog.Handler      { return h }
