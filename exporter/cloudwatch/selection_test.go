package cloudwatch

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/voicewatch/voicewatch/exporter/cloudwatch/catalog"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// contractConfig is what a sidecar publishes with by default: the
// catalogue only, with the two static dimensions.
func contractConfig() Config {
	c := testConfig()
	c.Include, c.Exclude = nil, nil
	c.StaticDimensions = map[string]string{catalog.DimService: "voicewatch", catalog.DimEnvironment: "prod"}
	return c
}

// datumsByKey returns "name [dim=value ...]" → value of the stored datums
// (histograms: their sample count).
func datumsByKey(t *testing.T, e *exporter, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	var buf bytes.Buffer
	e.emf = newEMFWriter(&buf, &e.cfg)
	recs := e.conv.convert(collect(t, reg), e.now())
	ds := e.datums(recs, nil)
	out := map[string]float64{}
	for _, d := range ds {
		var dims []string
		for _, dd := range d.Dimensions {
			dims = append(dims, *dd.Name+"="+*dd.Value)
		}
		sort.Strings(dims)
		key := *d.MetricName + " " + fmtList(dims)
		if _, dup := out[key]; dup {
			t.Errorf("two datums for %s", key)
		}
		v := aws.ToFloat64(d.Value)
		for _, c := range d.Counts {
			v += c
		}
		out[key] = v
	}
	return out
}

// runtimeRegistry has the Go and process collectors, a probe result set
// and a few media core metrics, as the sidecar's hub has.
func runtimeRegistry(t *testing.T) *prometheus.Registry {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	success := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: probemetrics.MetricProbeSuccess, Help: "x"},
		[]string{probemetrics.LabelProbe, probemetrics.LabelKind, probemetrics.LabelTarget})
	success.WithLabelValues("stun-a", "stun", "stun:a").Set(1)
	success.WithLabelValues("stun-b", "stun", "stun:b").Set(0)
	success.WithLabelValues("turn", "turn", "turn:a").Set(1)
	conns := prometheus.NewCounterVec(prometheus.CounterOpts{Name: voicemetrics.MetricConnections, Help: "x"}, []string{voicemetrics.LabelResult, "job"})
	conns.WithLabelValues("connected", "voice").Add(3)
	active := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: voicemetrics.MetricSessionsActive, Help: "x"}, []string{"job"})
	active.WithLabelValues("voice").Set(2)
	other := prometheus.NewGauge(prometheus.GaugeOpts{Name: "myapp_queue_depth", Help: "x"})
	other.Set(5)
	reg.MustRegister(success, conns, active, other)
	return reg
}

// TestCatalogueOnlyByDefault: the default publishes the catalogue's metrics
// at exactly its dimension sets (roll-ups included, each aggregated as the
// catalogue says) and nothing else: no go_*, no process_*, no metric of
// the application.
func TestCatalogueOnlyByDefault(t *testing.T) {
	cfg := contractConfig()
	e := &exporter{cfg: cfg, now: time.Now}
	e.conv = newConverter(&e.cfg)
	reg := runtimeRegistry(t)
	got := datumsByKey(t, e, reg)
	for k := range got {
		name, _, _ := strings.Cut(k, " ")
		if _, ok := catalog.Lookup(name); !ok {
			t.Errorf("published %s, which is not in the catalogue", k)
		}
	}
	want := map[string]float64{
		"probe_success [Environment=prod Service=voicewatch kind=stun probe=stun-a]": 1,
		"probe_success [Environment=prod Service=voicewatch kind=stun probe=stun-b]": 0,
		"probe_success [Environment=prod Service=voicewatch kind=turn probe=turn]":   1,
		"probe_success [Environment=prod Service=voicewatch kind=stun]":              0, // min of stun-a and stun-b
		"probe_success [Environment=prod Service=voicewatch kind=turn]":              1,
		"probe_success [Environment=prod Service=voicewatch]":                        0, // roll-up: min of all
		"voice_sessions_active [Environment=prod Service=voicewatch]":                2,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (published %t), want %v", k, g, ok, v)
		}
	}
	if len(got) != len(want) { // counters only set baselines in the first collection
		t.Errorf("published %d datums, want %d: %v", len(got), len(want), got)
	}
}

// TestIncludeExclude: include opts a runtime metric in (with the
// aggregation its gauge needs), exclude wins over the catalogue.
func TestIncludeExclude(t *testing.T) {
	cfg := contractConfig()
	cfg.Include = []string{"process_start_time_seconds", "myapp_*"}
	cfg.Aggregations = map[string]catalog.Aggregation{"process_start_time_seconds": catalog.Max, "myapp_queue_depth": catalog.Average}
	cfg.Exclude = []string{"probe_*"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	e := &exporter{cfg: cfg, now: time.Now}
	e.conv = newConverter(&e.cfg)
	got := datumsByKey(t, e, runtimeRegistry(t))
	var names []string
	for k := range got {
		names = append(names, k)
	}
	sort.Strings(names)
	want := []string{
		"myapp_queue_depth [Environment=prod Service=voicewatch]",
		"process_start_time_seconds [Environment=prod Service=voicewatch]",
		"voice_sessions_active [Environment=prod Service=voicewatch]",
	}
	if strings.Join(names, "\n") != strings.Join(want, "\n") {
		t.Errorf("published\n%s\nwant\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
}

// TestGaugeAggregations: series of a gauge that collapse onto one
// dimension set combine by the configured aggregation; without one they
// are dropped and counted, never summed.
func TestGaugeAggregations(t *testing.T) {
	for _, tc := range []struct {
		agg  catalog.Aggregation
		want float64
		sent bool
	}{
		{catalog.Sum, 1700000300, true},
		{catalog.Max, 1000000200, true},
		{catalog.Min, 700000100, true},
		{catalog.Average, 850000150, true},
		{"", 0, false},
	} {
		t.Run(string(tc.agg)+"none", func(t *testing.T) {
			cfg := contractConfig()
			cfg.Include = []string{"app_start_time_seconds"}
			if tc.agg != "" {
				cfg.Aggregations = map[string]catalog.Aggregation{"app_start_time_seconds": tc.agg}
			}
			exp, srv := newAPIExporter(t, cfg)
			reg := prometheus.NewRegistry()
			g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "app_start_time_seconds", Help: "x"}, []string{"task"})
			g.WithLabelValues("a").Set(1000000200)
			g.WithLabelValues("b").Set(700000100)
			reg.MustRegister(g)
			if err := exp.Export(t.Context(), collect(t, reg)); err != nil {
				t.Fatal(err)
			}
			got := sumByDim(srv, "app_start_time_seconds", "")
			if v, ok := got[""]; ok != tc.sent || v != tc.want {
				t.Errorf("published %v (sent %t), want %v (sent %t)", v, ok, tc.want, tc.sent)
			}
			if d := dropped(exp, dropNoAggregation); (d == 1) == tc.sent {
				t.Errorf("dropped{no_aggregation} = %v", d)
			}
		})
	}
}

// TestDimensionSetsYAML: one set or a list of sets.
func TestDimensionSetsYAML(t *testing.T) {
	in := "static_dimensions: {Service: s, Environment: e}\ndimensions:\n  metrics:\n    voice_sessions_ended_total: [outcome]\n    probe_success: [[probe, kind], []]\n    voice_connections_total: []\n"
	c, err := parseConfig(in)
	if err != nil {
		t.Fatal(err)
	}
	got := c.Dimensions.Metrics
	if len(got["voice_sessions_ended_total"]) != 1 || len(got["probe_success"]) != 2 || len(got["probe_success"][1]) != 0 ||
		len(got["voice_connections_total"]) != 1 || len(got["voice_connections_total"][0]) != 0 {
		t.Errorf("decoded %#v", got)
	}
}

// TestSelectionErrors: the bad inputs of the catalogue's contract each get
// an error that says what to change.
func TestSelectionErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
		targetLabels     []string
	}{
		{name: "label that does not exist", yaml: "dimensions: {metrics: {voice_connections_total: [reslt]}}",
			want:         `dimensions.metrics.voice_connections_total: label "reslt" does not exist: voice_connections_total has the labels [result] and the scrape targets add [job service]`,
			targetLabels: []string{"job", "service"}},
		{name: "gauge without aggregation", yaml: "include: [process_*]",
			want: "gauge process_max_fds is included without an aggregation: set cloudwatch.aggregations.process_max_fds to max, min, average or sum"},
		{name: "aggregation on a counter", yaml: "aggregations: {voice_connections_total: max}", want: "only gauges take an aggregation"},
		{name: "unknown aggregation", yaml: "include: [process_open_fds]\naggregations: {process_open_fds: median}", want: `aggregations.process_open_fds "median": use sum, max, min or average`},
		{name: "bad glob", yaml: "include: ['go_[']", want: `include[0] "go_[" is not a metric-name glob`},
		{name: "dimensions of an unpublished metric", yaml: "dimensions: {metrics: {go_goroutines: []}}", want: "go_goroutines is not published"},
		{name: "static dimensions missing", yaml: "static_dimensions: {Service: s}", want: "static_dimensions: set Service and Environment"},
		{name: "extra static dimension", yaml: "static_dimensions: {Service: s, Environment: e, Team: t}", want: "Team is not part of the catalogue's dimension sets"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y := tc.yaml
			if !strings.Contains(y, "static_dimensions") {
				y += "\nstatic_dimensions: {Service: s, Environment: e}"
			}
			c, err := parseConfig(y)
			if err == nil {
				err = c.CheckContract(tc.targetLabels)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant it to contain %q", err, tc.want)
			}
			if !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("err = %v, want ErrInvalidConfig", err)
			}
		})
	}
}

// TestUnmatchedIncludes: a glob that matches no known metric is reported;
// naming one's own metric in dimensions.metrics makes it known.
func TestUnmatchedIncludes(t *testing.T) {
	c := contractConfig()
	c.Include = []string{"voice_rtp_*", "go_memstats_*_total", "myapp_*", "bench_*"}
	c.Dimensions.Metrics = map[string]DimensionSets{"myapp_requests_total": {{}}}
	got := c.UnmatchedIncludes()
	if strings.Join(got, " ") != "bench_*" {
		t.Errorf("unmatched = %v, want [bench_*]", got)
	}
}

// TestFixHint: a rejected request caused by a missing permission names the
// IAM action and the namespace condition to grant.
func TestFixHint(t *testing.T) {
	err := fmt.Errorf("%w: %w", ErrRejected, &smithy.OperationError{ServiceID: "CloudWatch", OperationName: "PutMetricData",
		Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized"}})
	if h := fixHint(err, "VoiceWatch"); !strings.Contains(h, "cloudwatch:PutMetricData") || !strings.Contains(h, "cloudwatch:namespace = VoiceWatch") {
		t.Errorf("hint = %q", h)
	}
	if h := fixHint(errors.New("boom"), "VoiceWatch"); h != "" {
		t.Errorf("hint for an unknown error = %q", h)
	}
}
