package voicetest

import (
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestLogBufferFind(t *testing.T) {
	logs := &LogBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	log.Info("a", "event", "session.started", "codec", "pcmu")
	log.Info("b", "event", "session.started", "codec", "opus")
	log.Info("c", "event", "session.ended")
	_, _ = logs.Write([]byte("not json\n"))
	if got := len(logs.Events()); got != 3 {
		t.Errorf("Events: %d, want 3", got)
	}
	if got := len(logs.Find("session.started", nil)); got != 2 {
		t.Errorf("Find(session.started): %d, want 2", got)
	}
	got := logs.Find("session.started", map[string]any{"codec": "opus"})
	if len(got) != 1 || got[0]["msg"] != "b" {
		t.Errorf("Find(codec=opus) = %v", got)
	}
}

func TestMetricAndSeries(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "calls_total"}, []string{"result", "codec"})
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "latency_seconds"})
	reg.MustRegister(c, h)
	c.WithLabelValues("ok", "pcmu").Add(2)
	c.WithLabelValues("ok", "opus").Add(3)
	c.WithLabelValues("failed", "opus").Inc()
	h.Observe(0.1)
	h.Observe(0.2)
	for _, tc := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"calls_total", nil, 6},
		{"calls_total", []string{"result", "ok"}, 5},
		{"calls_total", []string{"result", "ok", "codec", "opus"}, 3},
		{"calls_total", []string{"result", "nope"}, 0},
		{"latency_seconds", nil, 2},
		{"missing", nil, 0},
	} {
		if got := Metric(t, reg, tc.name, tc.labels...); got != tc.want {
			t.Errorf("Metric(%s %v) = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
	if got := len(Series(t, reg, "calls_total", "codec", "opus")); got != 2 {
		t.Errorf("Series(codec=opus): %d, want 2", got)
	}
}

func TestWaits(t *testing.T) {
	ch := make(chan struct{})
	close(ch)
	WaitFor(t, "closed channel", ch, time.Second)
	n := 0
	Eventually(t, time.Second, "third poll", func() bool { n++; return n >= 3 })
}

// TestWilson checks the interval against values computed by hand
// (the closed form of Wilson, 1927, evaluated independently).
func TestWilson95(t *testing.T) {
	for _, c := range []struct {
		k, n   int
		lo, hi float64
	}{{0, 10, 0, 0.2775}, {200, 200, 0.9812, 1}, {199, 200, 0.9723, 0.9991}, {5, 10, 0.2366, 0.7634}} {
		lo, hi := Wilson95(c.k, c.n)
		if math.Abs(lo-c.lo) > 5e-4 || math.Abs(hi-c.hi) > 5e-4 {
			t.Errorf("Wilson95(%d, %d) = [%.4f, %.4f], want [%.4f, %.4f]", c.k, c.n, lo, hi, c.lo, c.hi)
		}
	}
}
