package metricsdoc

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/voicewatch/voicewatch/exporter/cardinality"
	"github.com/voicewatch/voicewatch/exporter/cloudwatch"
	"github.com/voicewatch/voicewatch/exporter/cloudwatch/catalog"
	"github.com/voicewatch/voicewatch/exporter/logs"
	"github.com/voicewatch/voicewatch/exporter/scrape"
	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/voice"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

var update = flag.Bool("update", false, "rewrite docs/metrics.md")

const docPath = "../../docs/metrics.md"

func sections(t *testing.T) []Section {
	t.Helper()
	var v, p, s Capture
	voice.RegisterMetrics(&v)

	ok := probes.Result{Probe: "stun", Kind: "stun", Target: "stun:x", Success: true, Duration: time.Millisecond,
		Phases: probes.Phases{{Name: "binding", Duration: time.Millisecond}}}
	bad := probes.Result{Probe: "turn", Kind: "turn", Target: "turn:x", Duration: time.Second,
		Failure: &probes.Failure{Phase: "allocate", Reason: probes.ReasonTimeout}}
	p.MustRegister(probes.NewCollector(ok, bad))

	sc, err := scrape.New(scrape.Config{Targets: []scrape.TargetConfig{{Name: "x", URL: "http://127.0.0.1:1/metrics"}}})
	if err != nil {
		t.Fatal(err)
	}
	sc.ScrapeAll(context.Background()) // a failed scrape: every health family has a sample
	s.MustRegister(sc)
	s.MustRegister(cardinality.New(cardinality.Config{}, prometheus.NewRegistry()))
	cw, err := cloudwatch.New(emfConfig(), cloudwatch.WithWriter(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer cw.Shutdown(context.Background())
	s.MustRegister(cw)
	s.MustRegister(logs.NewMetrics(logs.MetricsConfig{OnOverflow: func(string) {}})) // as the sidecar wires it: drops go to the cardinality limiter's counter
	return []Section{
		{Title: "Media core (`agent voice`)", Intro: "Served on the media core's `/metrics`.", Metrics: v.Metrics},
		{Title: "Probes (`probe`, the sidecar's scheduled probes and `/probe`)",
			Intro: "blackbox_exporter names; a fresh registry per `/probe` run.", Metrics: p.Metrics},
		{Title: "Sidecar (`agent sidecar`)",
			Intro:   "Its own health, the CloudWatch sink and the log-derived metrics, served with everything it scrapes on the sidecar's `/metrics`.",
			Metrics: s.Metrics},
	}
}

func emfConfig() cloudwatch.Config {
	c := cloudwatch.Config{}.WithDefaults()
	c.Mode = cloudwatch.ModeEMF
	return c
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
		voicemetrics.MetricSessionsStarted:      "counter",
		voicemetrics.MetricSessionsActive:       "gauge",
		voicemetrics.MetricSessionDuration:      "histogram",
		voicemetrics.MetricICEGatheringDuration: "histogram",
		voicemetrics.MetricSessionsEnded:        "counter",
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

// TestCatalogueMatchesRegistered: every CloudWatch catalogue entry and
// every known non-catalogue metric is registered by the code with the kind
// and labels the catalogue says, and every registered metric is one of
// them (a renamed label breaks the catalogue's dimension sets here, not in
// production).
func TestCatalogueMatchesRegistered(t *testing.T) {
	registered := map[string]Metric{}
	for _, s := range sections(t) {
		for _, m := range s.Metrics {
			registered[m.Name] = m
		}
	}
	for _, m := range catalog.Metrics() {
		r, ok := registered[m.Name]
		if !ok {
			t.Errorf("catalogue metric %s is not registered by any component", m.Name)
			continue
		}
		if string(m.Kind) != r.Type {
			t.Errorf("%s: catalogue kind %s, registered as %s", m.Name, m.Kind, r.Type)
		}
		if !sameSet(m.Labels, r.Labels) {
			t.Errorf("%s: catalogue labels %v, registered %v", m.Name, m.Labels, r.Labels)
		}
	}
	for name, r := range registered {
		if _, ok := catalog.Lookup(name); ok {
			continue
		}
		kind, labels, ok := catalog.Known(name)
		if !ok {
			t.Errorf("%s is registered but neither in the CloudWatch catalogue nor known to it", name)
			continue
		}
		if string(kind) != r.Type || (!sameSet(labels, r.Labels) && !strings.HasSuffix(name, "_build_info")) {
			t.Errorf("%s: known as %s %v, registered as %s %v", name, kind, labels, r.Type, r.Labels)
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
