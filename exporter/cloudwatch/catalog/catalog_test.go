package catalog

import (
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	dto "github.com/prometheus/client_model/go"

	"github.com/voicewatch/voicewatch/internal/httpguard"
)

// TestCatalogueIsConsistent: every entry says everything the exporter,
// the alarms and the dashboard need, and says it consistently.
func TestCatalogueIsConsistent(t *testing.T) {
	ms := Metrics()
	if len(ms) < 15 {
		t.Fatalf("only %d catalogue entries", len(ms))
	}
	for i, m := range ms {
		t.Run(m.Name, func(t *testing.T) {
			if i > 0 && ms[i-1].Name >= m.Name {
				t.Errorf("not sorted or duplicate after %s", ms[i-1].Name)
			}
			if got, ok := Lookup(m.Name); !ok || got.Name != m.Name {
				t.Errorf("Lookup(%s) = %v, %t", m.Name, got.Name, ok)
			}
			if _, _, ok := Known(m.Name); ok {
				t.Errorf("%s is both in the catalogue and among the known non-catalogue metrics", m.Name)
			}
			switch m.Kind {
			case Counter, Histogram:
				if m.Aggregation != Sum {
					t.Errorf("a %s aggregates by sum, not %q", m.Kind, m.Aggregation)
				}
			case Gauge:
				if !m.Aggregation.Valid() {
					t.Errorf("gauge without a valid aggregation: %q", m.Aggregation)
				}
			default:
				t.Errorf("kind %q", m.Kind)
			}
			switch {
			case m.Kind == Counter && m.Statistic != StatSum:
				t.Errorf("counter read with %s; deltas of several tasks add up only with Sum", m.Statistic)
			case m.Kind == Histogram && !strings.HasPrefix(m.Statistic, "p"):
				t.Errorf("histogram read with %s, want a percentile", m.Statistic)
			case m.Kind == Gauge && m.Statistic == StatSum && m.Period == 0:
				t.Errorf("a gauge read with Sum needs the period at which Sum adds one datapoint per task")
			case m.Kind == Gauge && m.Aggregation == Min && m.Statistic != StatMinimum,
				m.Kind == Gauge && m.Aggregation == Max && m.Statistic != StatMaximum:
				t.Errorf("gauge aggregated by %s in one sidecar but read with %s across sidecars", m.Aggregation, m.Statistic)
			}
			if m.Unit != UnitCount && m.Unit != UnitSeconds && m.Unit != UnitNone {
				t.Errorf("unit %q", m.Unit)
			}
			if len(m.Dimensions) == 0 {
				t.Error("no dimension set: the metric would never be published")
			}
			seen := map[string]bool{}
			for _, set := range m.Dimensions {
				key := strings.Join(set, ",")
				if seen[key] {
					t.Errorf("dimension set %v listed twice", set)
				}
				seen[key] = true
				for _, l := range set {
					if !m.HasLabel(l) {
						t.Errorf("dimension %q is not a label of the metric (labels %v)", l, m.Labels)
					}
					if slices.Contains(StaticDimensions, l) {
						t.Errorf("dimension set %v repeats a static dimension", set)
					}
				}
			}
			for l := range m.Bounds {
				if !m.HasLabel(l) {
					t.Errorf("bound for %q, which is not a label", l)
				}
			}
		})
	}
}

// TestPatternCount keeps the scanner pattern bound of the cost estimate
// equal to the patterns httpguard classifies.
func TestPatternCount(t *testing.T) {
	if n := len(httpguard.Patterns()); n != PatternCount {
		t.Errorf("PatternCount = %d, httpguard has %d patterns", PatternCount, n)
	}
}

// TestKnownRuntimeMetrics: the Go and process metrics listed as known are
// exactly those client_golang's collectors serve, with their types and
// labels (a client_golang upgrade that adds one fails here).
func TestKnownRuntimeMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[dto.MetricType]Kind{dto.MetricType_COUNTER: Counter, dto.MetricType_GAUGE: Gauge, dto.MetricType_SUMMARY: Summary}
	served := map[string]bool{}
	for _, mf := range mfs {
		served[mf.GetName()] = true
		kind, labels, ok := Known(mf.GetName())
		if !ok {
			t.Errorf("%s is served by the collectors but not known to the catalogue", mf.GetName())
			continue
		}
		if kind != kinds[mf.GetType()] {
			t.Errorf("%s: known as %s, served as %s", mf.GetName(), kind, mf.GetType())
		}
		var got []string
		for _, lp := range mf.GetMetric()[0].GetLabel() {
			got = append(got, lp.GetName())
		}
		if !slices.Equal(got, labels) {
			t.Errorf("%s: known labels %v, served %v", mf.GetName(), labels, got)
		}
	}
	for _, n := range KnownNames() {
		if (strings.HasPrefix(n, "go_") || strings.HasPrefix(n, "process_")) && !served[n] {
			t.Errorf("%s is known but no collector serves it", n)
		}
	}
}
