package metricsdoc

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/voicewatch/voicewatch/voice"
)

var update = flag.Bool("update", false, "rewrite docs/metrics.md")

const docPath = "../../docs/metrics.md"

func sections(t *testing.T) []Section {
	t.Helper()
	var v Capture
	voice.RegisterMetrics(&v)
	return []Section{
		{Title: "Media core (`agent voice`)", Intro: "Served on the media core's `/metrics`.", Metrics: v.Metrics},
	}
}

// TestMetricsDoc fails when docs/metrics.md differs from what the code
// registers; run with -update to regenerate it.
func TestMetricsDoc(t *testing.T) {
	var buf bytes.Buffer
	if err := Render(&buf, sections(t)); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(docPath, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/metricsdoc -update)", err)
	}
	if !bytes.Equal(got, buf.Bytes()) {
		t.Fatal("docs/metrics.md is stale: run go test ./internal/metricsdoc -update")
	}
}

func TestCaptureTypes(t *testing.T) {
	var v Capture
	voice.RegisterMetrics(&v)
	want := map[string]string{
		voice.MetricSessionsStarted:      "counter",
		voice.MetricSessionsActive:       "gauge",
		voice.MetricSessionDuration:      "histogram",
		voice.MetricICEGatheringDuration: "histogram",
		voice.MetricSessionsEnded:        "counter",
	}
	for _, m := range v.Metrics {
		if w, ok := want[m.Name]; ok && w != m.Type {
			t.Errorf("%s: type %s, want %s", m.Name, m.Type, w)
		}
		delete(want, m.Name)
	}
	if len(want) > 0 {
		t.Errorf("not captured: %v", want)
	}
}
