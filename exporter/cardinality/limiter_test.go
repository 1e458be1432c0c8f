package cardinality

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/voicewatch/voicewatch/exporter/sidecarmetrics"
)

func counterValue(t *testing.T, fams []*dto.MetricFamily, name, metric string) float64 {
	t.Helper()
	for _, mf := range fams {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.Metric {
			for _, l := range m.Label {
				if l.GetName() == sidecarmetrics.LabelMetric && l.GetValue() == metric {
					return m.Counter.GetValue()
				}
			}
		}
	}
	return 0
}

func seriesOf(fams []*dto.MetricFamily, name string) int {
	for _, mf := range fams {
		if mf.GetName() == name {
			return len(mf.Metric)
		}
	}
	return 0
}

func TestGuardLimitsSeriesPerMetric(t *testing.T) {
	src := prometheus.NewRegistry()
	paths := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "requests_total", Help: "h"}, []string{"path"})
	small := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "small", Help: "h"}, []string{"x"})
	src.MustRegister(paths, small)
	small.WithLabelValues("a").Set(1)

	now := time.Unix(0, 0)
	own := prometheus.NewRegistry()
	g := New(Config{MaxSeriesPerMetric: 3, ForgetAfter: time.Minute}, prometheus.Gatherers{src, own},
		WithNow(func() time.Time { return now }))
	own.MustRegister(g)

	tests := []struct {
		name        string
		addPaths    int
		advance     time.Duration
		wantSeries  int
		wantDropped float64
	}{
		{"under the limit", 2, 0, 2, 0},
		{"beyond the limit: new series dropped", 3, 0, 3, 4},
		{"admitted series keep their place", 0, 0, 3, 8},
		// The attacker's series are still published (they exist in the
		// source), so they are never forgotten.
		{"still published series are not forgotten", 0, 2 * time.Minute, 3, 12},
	}
	n := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range tt.addPaths {
				paths.WithLabelValues(fmt.Sprintf("/p%d", n)).Inc()
				n++
			}
			now = now.Add(tt.advance)
			fams, err := g.Gather()
			if err != nil {
				t.Fatal(err)
			}
			if got := seriesOf(fams, "requests_total"); got != tt.wantSeries {
				t.Errorf("series = %d, want %d", got, tt.wantSeries)
			}
			if got := seriesOf(fams, "small"); got != 1 {
				t.Errorf("unrelated metric affected: %d series", got)
			}
			// A second consumer's Gather drops (and counts) again.
			if _, err := g.Gather(); err != nil {
				t.Fatal(err)
			}
			ownFams, err := own.Gather()
			if err != nil {
				t.Fatal(err)
			}
			if got := counterValue(t, ownFams, sidecarmetrics.MetricSeriesDropped, "requests_total"); got != tt.wantDropped {
				t.Errorf("dropped = %v, want %v", got, tt.wantDropped)
			}
		})
	}
}

func TestGuardForgetsVanishedSeries(t *testing.T) {
	src := prometheus.NewRegistry()
	v := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "g", Help: "h"}, []string{"k"})
	src.MustRegister(v)
	now := time.Unix(0, 0)
	g := New(Config{MaxSeriesPerMetric: 2, ForgetAfter: time.Minute}, src, WithNow(func() time.Time { return now }))

	v.WithLabelValues("a").Set(1)
	v.WithLabelValues("b").Set(1)
	_, _ = g.Gather()
	v.Reset()
	v.WithLabelValues("c").Set(1)
	fams, _ := g.Gather()
	if got := seriesOf(fams, "g"); got != 0 {
		t.Fatalf("new series admitted while a and b hold the places: %d", got)
	}
	now = now.Add(2 * time.Minute)
	fams, _ = g.Gather()
	if got := seriesOf(fams, "g"); got != 1 {
		t.Fatalf("after a and b vanished for ForgetAfter, c not admitted: %d series", got)
	}
}

func TestGuardBoundsMetricNames(t *testing.T) {
	src := prometheus.NewRegistry()
	for i := range 5 {
		src.MustRegister(prometheus.NewGauge(prometheus.GaugeOpts{Name: fmt.Sprintf("m%d", i), Help: "h"}))
	}
	g := New(Config{MaxMetrics: 3}, src)
	fams, _ := g.Gather()
	if len(fams) != 3 {
		t.Fatalf("families = %d, want 3", len(fams))
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(g)
	own, _ := reg.Gather()
	if got := counterValue(t, own, sidecarmetrics.MetricSeriesDropped, OtherMetric); got != 2 {
		t.Errorf("dropped{metric=_other} = %v, want 2", got)
	}
}

func TestGuardSteadyStateAllocatesNothingPerSeries(t *testing.T) {
	allocs := func(inner fixedGatherer) float64 {
		g := New(Config{}, inner)
		if _, err := g.Gather(); err != nil {
			t.Fatal(err)
		}
		return testing.AllocsPerRun(20, func() { _, _ = g.Gather() })
	}
	small, large := allocs(families(1, 100)), allocs(families(100, 100))
	if large > small+2 {
		t.Errorf("allocs per Gather: %v for 100 series, %v for 10000: known series allocate", small, large)
	}
}

func TestGuardDoesNotModifyInner(t *testing.T) {
	inner := families(2, 3)
	g := New(Config{MaxSeriesPerMetric: 2}, inner)
	fams, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(fams) != 2 || len(fams[0].Metric) != 2 || len(fams[1].Metric) != 2 {
		t.Fatalf("got %d families, want 2 of 2 series", len(fams))
	}
	if fams[0] == inner[0] {
		t.Error("filtered family is the inner family, not a copy")
	}
	for _, mf := range inner {
		if len(mf.Metric) != 3 {
			t.Errorf("inner family %s modified: %d series", mf.GetName(), len(mf.Metric))
		}
	}
	// Known series keep their place on later gathers; the third is dropped
	// each time.
	fams, _ = g.Gather()
	if got := seriesOf(fams, inner[0].GetName()); got != 2 {
		t.Errorf("second gather: %d series, want 2", got)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(g)
	own, _ := reg.Gather()
	if got := counterValue(t, own, sidecarmetrics.MetricSeriesDropped, inner[0].GetName()); got != 2 {
		t.Errorf("dropped = %v, want 2", got)
	}
}
