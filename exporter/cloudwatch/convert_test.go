package cloudwatch

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// sumRM builds a collection with one cumulative monotonic sum data point per
// value in series (attribute id=<key>).
func sumRM(name string, t time.Time, series map[string]float64) *metricdata.ResourceMetrics {
	var dps []metricdata.DataPoint[float64]
	for _, id := range sortedKeys(series) {
		dps = append(dps, metricdata.DataPoint[float64]{Attributes: attribute.NewSet(attribute.String("id", id)), Time: t, Value: series[id]})
	}
	return &metricdata.ResourceMetrics{ScopeMetrics: []metricdata.ScopeMetrics{{Metrics: []metricdata.Metrics{{
		Name: name, Data: metricdata.Sum[float64]{Temporality: metricdata.CumulativeTemporality, IsMonotonic: true, DataPoints: dps},
	}}}}}
}

func TestCounterDeltas(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Dimensions.Default = []string{"id"}
	e := &exporter{cfg: cfg}
	conv := newConverter(&e.cfg)
	t0 := time.Unix(1700000000, 0)
	steps := []struct {
		name   string
		series map[string]float64
		want   map[string]float64 // datums sent, by id
	}{
		{"first collection only sets baselines", map[string]float64{"a": 10}, map[string]float64{}},
		{"increase is the delta", map[string]float64{"a": 15}, map[string]float64{"a": 5}},
		{"no change sends zero", map[string]float64{"a": 15}, map[string]float64{"a": 0}},
		{"reset: the new value is the delta", map[string]float64{"a": 3}, map[string]float64{"a": 3}},
		{"after a reset deltas continue", map[string]float64{"a": 7}, map[string]float64{"a": 4}},
		{"series born later sends its full value", map[string]float64{"a": 7, "b": 2}, map[string]float64{"a": 0, "b": 2}},
		{"series absent for a collection keeps its state", map[string]float64{"b": 2}, map[string]float64{"b": 0}},
		{"returning series continues from its state", map[string]float64{"a": 9, "b": 2}, map[string]float64{"a": 2, "b": 0}},
	}
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			ts := t0.Add(time.Duration(i) * time.Minute)
			ds := e.datums(conv.convert(sumRM("x_total", ts, st.series), ts), nil)
			got := map[string]float64{}
			for _, d := range ds {
				got[*d.Dimensions[0].Value] = *d.Value
				if d.Unit != types.StandardUnitCount || !d.Timestamp.Equal(ts) {
					t.Errorf("datum unit %q time %v, want Count at %v", d.Unit, d.Timestamp, ts)
				}
			}
			if len(got) != len(st.want) {
				t.Fatalf("datums = %v, want %v", got, st.want)
			}
			for k, v := range st.want {
				if got[k] != v {
					t.Errorf("delta[%s] = %v, want %v", k, got[k], v)
				}
			}
		})
	}
}

func TestSeriesStateExpires(t *testing.T) {
	cfg := DefaultConfig()
	cfg.SeriesTTL = time.Hour
	e := &exporter{cfg: cfg}
	conv := newConverter(&e.cfg)
	t0 := time.Unix(1700000000, 0)
	conv.convert(sumRM("x_total", t0, map[string]float64{"a": 10}), t0)
	conv.convert(sumRM("y_total", t0, map[string]float64{"a": 1}), t0.Add(2*time.Hour))
	set := attribute.NewSet(attribute.String("id", "a"))
	if _, ok := conv.deltas.series[seriesKey{"x_total", set.Equivalent()}]; ok {
		t.Error("state of a series unseen for longer than series_ttl was kept")
	}
}

func TestDimensionsAllowList(t *testing.T) {
	cfg := testConfig()
	cfg.StaticDimensions = map[string]string{"Service": "voice", "Environment": "prod"}
	cfg.Dimensions.Default = []string{"outcome"}
	cfg.Dimensions.Metrics = map[string][]string{"voice_tts_errors_total": {"provider"}}
	exp, srv := newAPIExporter(t, cfg)
	reg := prometheus.NewRegistry()
	tts := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "voice_tts_errors_total", Help: "x"}, []string{"provider", "reason"})
	act := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "voice_sessions_active", Help: "x"}, []string{"task"})
	reg.MustRegister(tts, act)
	for _, p := range []string{"elevenlabs", "tone"} {
		for _, r := range []string{"timeout", "policy_violation", "network"} {
			tts.WithLabelValues(p, r)
		}
	}
	_ = exp.Export(t.Context(), collect(t, reg))
	tts.WithLabelValues("elevenlabs", "policy_violation").Add(6)
	tts.WithLabelValues("elevenlabs", "timeout").Add(2)
	tts.WithLabelValues("tone", "network").Add(1)
	act.WithLabelValues("task-1").Set(3)
	act.WithLabelValues("task-2").Set(4)
	if err := exp.Export(t.Context(), collect(t, reg)); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range srv.Datums() {
		var dims []string
		for _, dd := range d.Dimensions {
			dims = append(dims, *dd.Name+"="+*dd.Value)
		}
		key := *d.MetricName + " " + fmtList(dims)
		if _, dup := got[key]; dup {
			t.Errorf("two datums for %s", key)
		}
		got[key] = fmtFloat(aws.ToFloat64(d.Value)) + " " + string(d.Unit)
	}
	want := map[string]string{
		"voice_tts_errors_total [Environment=prod Service=voice provider=elevenlabs]": "8 Count",
		"voice_tts_errors_total [Environment=prod Service=voice provider=tone]":       "1 Count",
		"voice_sessions_active [Environment=prod Service=voice]":                      "7 ", // gauges are summed too
	}
	if len(got) != len(want) {
		t.Errorf("datums = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func fmtList(l []string) string { return fmt.Sprint(l) }
func fmtFloat(f float64) string { return formatG(f) }
func formatG(f float64) string  { return fmt.Sprintf("%g", f) }

// percentile returns the p-quantile (0<p<=1) of a distribution given as
// values with counts, the way CloudWatch computes it from Values/Counts: the
// smallest value whose cumulative count reaches p of the total.
func percentile(values, counts []float64, p float64) float64 {
	type vc struct{ v, c float64 }
	var all []vc
	total := 0.0
	for i := range values {
		all = append(all, vc{values[i], counts[i]})
		total += counts[i]
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v < all[j].v })
	rank := math.Ceil(p * total)
	cum := 0.0
	for _, x := range all {
		cum += x.c
		if cum >= rank {
			return x.v
		}
	}
	return math.NaN()
}

func TestHistogramPercentilesMatchSource(t *testing.T) {
	cfg := testConfig()
	exp, srv := newAPIExporter(t, cfg)
	reg := prometheus.NewRegistry()
	bounds := prometheus.ExponentialBuckets(0.05, 1.5, 16) // ICE gathering: 50ms .. ~22s
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "voice_ice_gathering_duration_seconds", Help: "x", Buckets: bounds})
	reg.MustRegister(h)
	h.Observe(1) // before the sidecar started: must not be sent
	_ = exp.Export(t.Context(), collect(t, reg))
	rng := rand.New(rand.NewPCG(1, 2))
	var samples []float64
	for range 5000 {
		v := math.Exp(rng.NormFloat64()*0.8) * 0.6 // log-normal around 0.6 s, tail to seconds
		samples = append(samples, v)
		h.Observe(v)
	}
	if err := exp.Export(t.Context(), collect(t, reg)); err != nil {
		t.Fatal(err)
	}
	ds := srv.Datums()
	if len(ds) != 1 {
		t.Fatalf("got %d datums, want 1", len(ds))
	}
	d := ds[0]
	if d.Value != nil || d.StatisticValues != nil || len(d.Values) == 0 || len(d.Values) > 150 || d.Unit != types.StandardUnitSeconds {
		t.Fatalf("datum is not a Values/Counts datum in Seconds: %+v", d.MetricDatum)
	}
	var total float64
	for _, c := range d.Counts {
		total += c
	}
	if total != float64(len(samples)) {
		t.Errorf("counts sum to %v, want %d observations", total, len(samples))
	}
	slices.Sort(samples)
	for _, p := range []float64{0.5, 0.95, 0.99} {
		t.Run(formatG(p), func(t *testing.T) {
			truth := samples[int(math.Ceil(p*float64(len(samples))))-1]
			bucket := sort.SearchFloat64s(bounds, truth) // first bound >= truth: the bucket holding it
			want := bucketValue(bounds, bucket)
			got := percentile(d.Values, d.Counts, p)
			if got != want {
				t.Errorf("p%v from Values/Counts = %v, want %v (midpoint of the bucket holding the true p%v %v)", p*100, got, want, p*100, truth)
			}
		})
	}
}

func TestHistogramSplitsAt150Values(t *testing.T) {
	bounds := make([]float64, 400)
	counts := make([]uint64, 401)
	for i := range bounds {
		bounds[i] = float64(i + 1)
		counts[i] = 1
	}
	values, cnts := valuesCounts(bounds, counts, apiMaxValues)
	if len(values) != 3 || len(values[0]) != 150 || len(values[2]) != 100 || len(cnts[1]) != 150 {
		t.Errorf("split into %d chunks; want 150, 150, 100 values", len(values))
	}
}

func TestUnits(t *testing.T) {
	tests := []struct {
		name string
		want types.StandardUnit
	}{
		{"voice_session_duration_seconds", types.StandardUnitSeconds},
		{"process_cpu_seconds_total", types.StandardUnitSeconds},
		{"process_resident_memory_bytes", types.StandardUnitBytes},
		{"voice_sessions_started_total", types.StandardUnitCount},
		{"voice_sessions_active", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := unitFor(tt.name); got != tt.want {
				t.Errorf("unitFor(%s) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}

// TestInfiniteObservation: an observation of +Inf makes a histogram's sum
// infinite, which CloudWatch refuses as a value. The API datum (Values and
// Counts, no sum) still arrives with the observation in the last bucket,
// and the EMF line carries a finite Sum estimated from the buckets. A
// histogram with a NaN bound is refused as invalid; the other datums of
// its export arrive.
func TestInfiniteObservation(t *testing.T) {
	observe := func(reg *prometheus.Registry) func() {
		h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "voice_tts_first_byte_seconds", Help: "x", Buckets: []float64{0.1, 1}})
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: "voice_sessions_started_total", Help: "x"})
		reg.MustRegister(h, c)
		return func() { h.Observe(0.05); h.Observe(math.Inf(1)); c.Add(3) }
	}
	t.Run("api", func(t *testing.T) {
		exp, srv := newAPIExporter(t, testConfig())
		reg := prometheus.NewRegistry()
		more := observe(reg)
		if err := exp.Export(t.Context(), collect(t, reg)); err != nil { // baselines
			t.Fatal(err)
		}
		more()
		if err := exp.Export(t.Context(), collect(t, reg)); err != nil {
			t.Fatalf("export with an infinite histogram sum: %v", err)
		}
		got := map[string]types.MetricDatum{}
		for _, d := range srv.Datums() {
			got[aws.ToString(d.MetricName)] = d.MetricDatum
		}
		if d := got["voice_sessions_started_total"]; aws.ToFloat64(d.Value) != 3 {
			t.Errorf("counter datum %+v, want a delta of 3", d)
		}
		if d := got["voice_tts_first_byte_seconds"]; !slices.Equal(d.Counts, []float64{1, 1}) || d.StatisticValues != nil {
			t.Errorf("histogram datum Values %v Counts %v, want the two observations as Values/Counts", d.Values, d.Counts)
		}
	})
	t.Run("emf", func(t *testing.T) {
		cfg := testConfig()
		cfg.Mode = ModeEMF
		var buf bytes.Buffer
		exp, err := New(cfg, WithWriter(&buf))
		if err != nil {
			t.Fatal(err)
		}
		reg := prometheus.NewRegistry()
		more := observe(reg)
		_ = exp.Export(t.Context(), collect(t, reg))
		more()
		if err := exp.Export(t.Context(), collect(t, reg)); err != nil {
			t.Fatalf("export with an infinite histogram sum: %v", err)
		}
		if !strings.Contains(buf.String(), `"Counts":[1,1],"Count":2,"Sum":1.05,`) {
			t.Errorf("EMF output has no finite Sum estimated from the buckets (0.05 + 1):\n%s", buf.String())
		}
	})
	t.Run("NaN bound", func(t *testing.T) {
		exp, srv := newAPIExporter(t, testConfig())
		t0 := time.Unix(1700000000, 0)
		rm := func(n uint64, v float64) *metricdata.ResourceMetrics {
			return &metricdata.ResourceMetrics{ScopeMetrics: []metricdata.ScopeMetrics{{Metrics: []metricdata.Metrics{
				{Name: "h", Data: metricdata.Histogram[float64]{Temporality: metricdata.CumulativeTemporality,
					DataPoints: []metricdata.HistogramDataPoint[float64]{{Time: t0, Bounds: []float64{math.NaN()}, BucketCounts: []uint64{n, 0}, Count: n, Sum: float64(n)}}}},
				{Name: "g", Data: metricdata.Gauge[float64]{DataPoints: []metricdata.DataPoint[float64]{{Time: t0, Value: v}}}},
			}}}}
		}
		_ = exp.Export(t.Context(), rm(1, 1))
		if err := exp.Export(t.Context(), rm(2, 5)); err != nil {
			t.Fatal(err)
		}
		ds := srv.Datums()
		if n := len(ds); n == 0 || aws.ToString(ds[n-1].MetricName) != "g" {
			t.Fatalf("datums %+v, want the gauge last and no histogram", ds)
		}
		for _, d := range ds {
			if aws.ToString(d.MetricName) == "h" {
				t.Errorf("a histogram with a NaN bound was sent: %+v", d.MetricDatum)
			}
		}
		if got := testutil.ToFloat64(exp.health.dropped.WithLabelValues(dropInvalid)); got != 1 {
			t.Errorf("invalid drops = %v, want 1 (the histogram's second export)", got)
		}
	})
}
