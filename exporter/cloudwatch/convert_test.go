package cloudwatch

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/voicewatch/voicewatch/exporter/cloudwatch/catalog"
	"github.com/voicewatch/voicewatch/internal/awstest"
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
	cfg := allMetrics()
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
	cfg := allMetrics()
	cfg.SeriesTTL = time.Hour
	e := &exporter{cfg: cfg}
	conv := newConverter(&e.cfg)
	t0 := time.Unix(1700000000, 0)
	conv.convert(sumRM("x_total", t0, map[string]float64{"a": 10}), t0)
	conv.convert(sumRM("y_total", t0, map[string]float64{"a": 1}), t0.Add(2*time.Hour))
	set := attribute.NewSet(attribute.String("id", "a"))
	if _, ok := conv.deltas.counters[seriesKey{"x_total", set.Equivalent()}]; ok {
		t.Error("state of a series unseen for longer than series_ttl was kept")
	}
}

func TestDimensionsAllowList(t *testing.T) {
	cfg := testConfig()
	cfg.StaticDimensions = map[string]string{"Service": "voice", "Environment": "prod"}
	cfg.Dimensions.Default = []string{"outcome"}
	cfg.Dimensions.Metrics = map[string]DimensionSets{"voice_tts_errors_total": {{"provider"}}}
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
		"voice_sessions_active [Environment=prod Service=voice]":                      "7 Count", // the catalogue sums this gauge
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

// mergeRM returns one collection with the metrics of every rm.
func mergeRM(rms ...*metricdata.ResourceMetrics) *metricdata.ResourceMetrics {
	out := &metricdata.ResourceMetrics{}
	for _, rm := range rms {
		out.ScopeMetrics = append(out.ScopeMetrics, rm.ScopeMetrics...)
	}
	return out
}

// recordOf returns the record of name whose last dimension has value v.
func recordOf(t *testing.T, recs []*record, name, v string) *record {
	t.Helper()
	for _, r := range recs {
		if r.name == name && len(r.dims) > 0 && *r.dims[len(r.dims)-1].Value == v {
			return r
		}
	}
	t.Fatalf("no record of %s with dimension value %q", name, v)
	return nil
}

// TestRecordsForgottenUnderChurn: records, interned dimensions and delta
// state of series that disappear are forgotten, so memory stays bounded
// when every collection brings new series ids.
func TestRecordsForgottenUnderChurn(t *testing.T) {
	cfg := allMetrics()
	cfg.SeriesTTL = time.Minute
	cfg.Dimensions.Default = []string{"id"}
	conv := newConverter(&cfg)
	t0 := time.Unix(1700000000, 0)
	const interval, fresh = 10 * time.Second, 10
	for i := range 100 {
		ts := t0.Add(time.Duration(i) * interval)
		series := map[string]float64{"steady": float64(i)}
		for j := range fresh {
			series[fmt.Sprintf("c%d-%d", i, j)] = 1
		}
		recs := conv.convert(mergeRM(sumRM("x_total", ts, series), sumRM("y_total", ts, series)), ts)
		if len(recs) != 2*(fresh+1) || len(conv.records) != len(recs) {
			t.Fatalf("collection %d: %d records returned, %d kept; want %d of each", i, len(recs), len(conv.records), 2*(fresh+1))
		}
		if len(conv.dimSets) != fresh+1 {
			t.Fatalf("collection %d: %d interned dimension slices, want %d (one per id)", i, len(conv.dimSets), fresh+1)
		}
		for _, ds := range conv.dimSets {
			if ds.refs != 2 {
				t.Fatalf("collection %d: an interned dimension slice has %d users, want 2 (x_total and y_total)", i, ds.refs)
			}
		}
		// A series seen within the TTL (7 collections: 0 s to 60 s ago) keeps its state.
		if maxState := 2 * (1 + fresh*7); len(conv.deltas.counters) > maxState {
			t.Fatalf("collection %d: %d counter states, want at most %d", i, len(conv.deltas.counters), maxState)
		}
	}
}

// TestRecordsShareDimensions: records with the same dimensions share one
// immutable dimension slice, whatever their metric and allow-list; label
// name pointers are shared by all slices; records persist across
// collections.
func TestRecordsShareDimensions(t *testing.T) {
	cfg := allMetrics()
	cfg.StaticDimensions = map[string]string{"Service": "voice"}
	cfg.Dimensions.Default = []string{"id"}
	cfg.Dimensions.Metrics = map[string]DimensionSets{"z_total": {{"outcome", "id"}}} // no outcome label: same dimensions
	conv := newConverter(&cfg)
	t0 := time.Unix(1700000000, 0)
	series := map[string]float64{"5": 1, "6": 2}
	rm := mergeRM(sumRM("x_total", t0, series), sumRM("y_total", t0, series), sumRM("z_total", t0, series))
	first := slices.Clone(conv.convert(rm, t0))
	recs := conv.convert(rm, t0.Add(time.Minute))
	if !slices.Equal(first, recs) {
		t.Error("the second collection of the same series made new records")
	}
	x5, y5, z5, x6 := recordOf(t, recs, "x_total", "5"), recordOf(t, recs, "y_total", "5"), recordOf(t, recs, "z_total", "5"), recordOf(t, recs, "x_total", "6")
	if len(x5.dims) != 2 || cap(x5.dims) != len(x5.dims) {
		t.Fatalf("dims %v: want Service and id, capacity clipped to the length", x5.dims)
	}
	if &x5.dims[0] != &y5.dims[0] || &x5.dims[0] != &z5.dims[0] {
		t.Error("records with equal dimension values do not share the dims backing array")
	}
	if &x5.dims[0] == &x6.dims[0] {
		t.Error("records with different dimension values share a dims backing array")
	}
	if x5.dims[1].Name != x6.dims[1].Name || x5.dims[0].Name != x6.dims[0].Name {
		t.Error("dimension name pointers are not shared between dimension slices")
	}
	if len(conv.dimSets) != 2 {
		t.Errorf("%d interned dimension slices, want 2", len(conv.dimSets))
	}
}

// TestRecordKeysAreUnambiguous: series whose allowed label values differ
// are different records even when the values contain the byte that used
// to separate them in keys; an absent and an empty label (no dimension
// either way) are the same record.
func TestRecordKeysAreUnambiguous(t *testing.T) {
	cfg := allMetrics()
	cfg.Dimensions.Default = []string{"a", "b"}
	conv := newConverter(&cfg)
	t0 := time.Unix(1700000000, 0)
	dp := func(v float64, kvs ...attribute.KeyValue) metricdata.DataPoint[float64] {
		return metricdata.DataPoint[float64]{Attributes: attribute.NewSet(kvs...), Time: t0, Value: v}
	}
	a, b := attribute.Key("a").String, attribute.Key("b").String
	rm := &metricdata.ResourceMetrics{ScopeMetrics: []metricdata.ScopeMetrics{{Metrics: []metricdata.Metrics{{
		Name: "g", Data: metricdata.Gauge[float64]{DataPoints: []metricdata.DataPoint[float64]{
			dp(1, a("x\x00"), b("y")), dp(2, a("x"), b("\x00y")), dp(4, a("x")), dp(8, a("x"), b("")),
		}},
	}}}}}
	got := map[string]float64{}
	for _, r := range conv.convert(rm, t0) {
		var dims []string
		for _, d := range r.dims {
			dims = append(dims, fmt.Sprintf("%s=%q", *d.Name, *d.Value))
		}
		got[strings.Join(dims, " ")] = r.value
	}
	want := map[string]float64{`a="x\x00" b="y"`: 1, `a="x" b="\x00y"`: 2, `a="x"`: 12}
	if !maps.Equal(got, want) {
		t.Errorf("values by dimensions = %v, want %v", got, want)
	}
}

// TestHistogramDeltasAcrossCollections: a record's buckets start afresh in
// every collection (records are reused), with the series that collapse onto
// it summed.
func TestHistogramDeltasAcrossCollections(t *testing.T) {
	cfg := allMetrics()
	conv := newConverter(&cfg) // no allowed labels: both series on one record
	t0 := time.Unix(1700000000, 0)
	rm := func(ts time.Time, a, b []uint64) *metricdata.ResourceMetrics {
		dp := func(id string, counts []uint64) metricdata.HistogramDataPoint[float64] {
			var n uint64
			for _, c := range counts {
				n += c
			}
			return metricdata.HistogramDataPoint[float64]{Attributes: attribute.NewSet(attribute.String("id", id)), Time: ts,
				Bounds: []float64{1, 2}, BucketCounts: counts, Count: n, Sum: float64(n)}
		}
		return &metricdata.ResourceMetrics{ScopeMetrics: []metricdata.ScopeMetrics{{Metrics: []metricdata.Metrics{{
			Name: "h_seconds", Data: metricdata.Histogram[float64]{Temporality: metricdata.CumulativeTemporality,
				DataPoints: []metricdata.HistogramDataPoint[float64]{dp("a", a), dp("b", b)}},
		}}}}}
	}
	steps := []struct {
		a, b, want []uint64
	}{
		{[]uint64{1, 0, 0}, []uint64{0, 1, 0}, nil}, // baselines
		{[]uint64{2, 0, 0}, []uint64{0, 1, 3}, []uint64{1, 0, 3}},
		{[]uint64{2, 1, 0}, []uint64{0, 1, 3}, []uint64{0, 1, 0}},
		{[]uint64{2, 1, 0}, []uint64{0, 1, 3}, []uint64{0, 0, 0}},
	}
	for i, st := range steps {
		ts := t0.Add(time.Duration(i) * time.Minute)
		recs := conv.convert(rm(ts, st.a, st.b), ts)
		if len(recs) != 1 {
			t.Fatalf("collection %d: %d records, want 1", i, len(recs))
		}
		r := recs[0]
		if st.want == nil {
			if r.has {
				t.Errorf("collection %d: baselines sent %v", i, r.histogram().counts)
			}
			continue
		}
		var n uint64
		for _, c := range st.want {
			n += c
		}
		h := r.histogram()
		if !r.has || !slices.Equal(h.counts, st.want) || h.count != n || h.sum != float64(n) || !r.timestamp().Equal(ts) {
			t.Errorf("collection %d: has %v counts %v count %d sum %v at %v, want counts %v count %d at %v", i, r.has, h.counts, h.count, h.sum, r.timestamp(), st.want, n, ts)
		}
	}
}

// TestBufferedDatumsSurviveLaterCollections: datums buffered in mode api
// during an outage alias the records' dimension slices; later collections
// (new values, disappearing and returning series, histograms) must not
// change them, and they are delivered as they were made.
func TestBufferedDatumsSurviveLaterCollections(t *testing.T) {
	cfg := testConfig()
	cfg.Dimensions.Default = []string{"outcome"}
	exp, srv := newAPIExporter(t, cfg)
	reg := prometheus.NewRegistry()
	c := sessionsCounter(reg)
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "voice_turn_seconds", Help: "x", Buckets: []float64{0.5, 1, 2}}, []string{"outcome"})
	reg.MustRegister(h)
	for _, o := range outcomes {
		c.WithLabelValues(o).Add(100)
		h.WithLabelValues(o).Observe(0.1)
	}
	ctx := t.Context()
	if err := exp.Export(ctx, collect(t, reg)); err != nil {
		t.Fatalf("baseline export: %v", err)
	}
	srv.Inject(awstest.Fault{Kind: awstest.FaultServerError})
	c.WithLabelValues("completed").Add(7)
	h.WithLabelValues("completed").Observe(1.5)
	if err := exp.Export(ctx, collect(t, reg)); !errors.Is(err, ErrNotDelivered) {
		t.Fatalf("export during outage: err = %v, want ErrNotDelivered", err)
	}
	want := bufferedDatums(exp)
	if len(want) != len(outcomes)+1 { // the histograms without observations send nothing
		t.Fatalf("%d datums buffered, want %d", len(want), len(outcomes)+1)
	}
	for i := range 3 {
		c.DeleteLabelValues("abandoned") // its records and dimensions are forgotten
		h.DeleteLabelValues("abandoned")
		if i == 2 { // and made again
			c.WithLabelValues("abandoned").Add(1)
			h.WithLabelValues("abandoned").Observe(0.7)
		}
		c.WithLabelValues("completed").Add(float64(i + 1))
		h.WithLabelValues("completed").Observe(0.2)
		_ = exp.Export(ctx, collect(t, reg))
	}
	if got := bufferedDatums(exp)[:len(want)]; !slices.Equal(got, want) {
		t.Errorf("buffered datums changed by later collections:\n got %q\nwant %q", got, want)
	}
	srv.Clear()
	if err := exp.ForceFlush(ctx); err != nil {
		t.Fatal(err)
	}
	var delivered []string
	for _, d := range srv.Datums()[:len(want)] {
		delivered = append(delivered, fmtDatum(d.MetricDatum))
	}
	if !slices.Equal(delivered, want) {
		t.Errorf("delivered datums:\n got %q\nwant %q", delivered, want)
	}
}

// bufferedDatums formats the datums e's buffer holds.
func bufferedDatums(e *exporter) []string {
	e.buf.mu.Lock()
	defer e.buf.mu.Unlock()
	var out []string
	for _, d := range e.buf.items[e.buf.head:] {
		out = append(out, fmtDatum(d))
	}
	return out
}

// fmtDatum formats everything d sends.
func fmtDatum(d types.MetricDatum) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s@%d", aws.ToString(d.MetricName), aws.ToTime(d.Timestamp).UnixMilli())
	for _, dim := range d.Dimensions {
		fmt.Fprintf(&b, " %s=%s", aws.ToString(dim.Name), aws.ToString(dim.Value))
	}
	if d.Value != nil {
		fmt.Fprintf(&b, " value=%g", *d.Value)
	}
	fmt.Fprintf(&b, " values=%v counts=%v unit=%s", d.Values, d.Counts, d.Unit)
	return b.String()
}

// TestBurstMemoryIsGivenBack: after a burst of series (a label with
// request ids, say) ends and their state expires, the converter's maps are
// rebuilt for what is left, instead of keeping the burst's tables.
func TestBurstMemoryIsGivenBack(t *testing.T) {
	cfg := allMetrics()
	cfg.SeriesTTL = time.Minute
	cfg.Dimensions.Default = []string{"id"}
	conv := newConverter(&cfg)
	t0 := time.Unix(1700000000, 0)
	steady := map[string]float64{"a": 1, "b": 2}
	conv.convert(sumRM("x_total", t0, steady), t0)
	rm := sumRM("x_total", t0, steady) // made before the baseline: not counted
	before := liveHeap()
	burst := map[string]float64{}
	for i := range 20000 {
		burst[fmt.Sprint(i)] = 1
	}
	conv.convert(sumRM("x_total", t0.Add(10*time.Second), burst), t0.Add(10*time.Second))
	for i := range 10 { // past the TTL of the burst's series
		ts := t0.Add(time.Duration(i+2) * 10 * time.Second)
		conv.convert(rm, ts)
	}
	if n := len(conv.records) + len(conv.dimSets) + len(conv.deltas.counters); n != 2+2+2 {
		t.Fatalf("%d records, dimension slices and counter states, want 2 of each", n)
	}
	if grown := liveHeap() - before; grown > 256<<10 { // the burst's tables would be 3 MB
		t.Errorf("the converter holds %d bytes more after a burst of 20000 series than before it", grown)
	}
	runtime.KeepAlive(conv)
	runtime.KeepAlive(rm)
}

// TestRecordSize: the converter keeps a record for every series from one
// collection to the next (10k series: 10k records), so the record's size
// class is most of its resident memory. It was 160 bytes with the histogram
// fields inline and a time.Time; it must stay in the 96-byte class. A
// histogram record also has its histogram part (64 bytes): 160 in all, as
// before.
func TestRecordSize(t *testing.T) {
	for _, c := range []struct {
		name       string
		size, want uintptr
	}{
		{"record", unsafe.Sizeof(record{}), 96},
		{"histogram part", unsafe.Sizeof(histPoint{}), 64},
	} {
		if got := sizeClass(c.size); got != c.want {
			t.Errorf("a %s is %d bytes, allocated in the %d-byte size class; want the %d-byte class", c.name, c.size, got, c.want)
		}
	}
}

// sizeClass returns the size of the heap block Go allocates for an object
// of n bytes (the size classes up to 256 bytes; 0 above).
func sizeClass(n uintptr) uintptr {
	for _, c := range []uintptr{8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256} {
		if n <= c {
			return c
		}
	}
	return 0
}

// TestRecordTimeIsLatestMillisecond: a record's time is the latest time of
// the data points that collapse onto it, to the millisecond, whatever their
// zones, before 1970 too; with only zero times it is the zero time (as when
// records kept a time.Time). The datum carries that instant.
func TestRecordTimeIsLatestMillisecond(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	zones := []*time.Location{time.UTC, time.FixedZone("EST", -5*3600), time.FixedZone("IST", 5*3600+1800)}
	base := []time.Time{{}, time.Unix(0, 0), time.Unix(1700000000, 0), time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC)}
	for i := range 200 {
		var dps []metricdata.DataPoint[float64]
		var latest time.Time
		for range 1 + rng.IntN(4) {
			ts := base[rng.IntN(len(base))]
			if !ts.IsZero() || rng.IntN(2) == 0 {
				ts = ts.Add(time.Duration(rng.Int64N(int64(3 * time.Millisecond)))).In(zones[rng.IntN(len(zones))])
			}
			if ts.After(latest) {
				latest = ts
			}
			dps = append(dps, metricdata.DataPoint[float64]{Attributes: attribute.NewSet(attribute.Int("i", len(dps))), Time: ts, Value: 1})
		}
		cfg := allMetrics() // no allowed labels: one record
		cfg.Aggregations = map[string]catalog.Aggregation{"g": catalog.Max}
		e := &exporter{cfg: cfg}
		recs := newConverter(&e.cfg).convert(&metricdata.ResourceMetrics{ScopeMetrics: []metricdata.ScopeMetrics{{Metrics: []metricdata.Metrics{
			{Name: "g", Data: metricdata.Gauge[float64]{DataPoints: dps}},
		}}}}, time.Unix(1700000000, 0))
		ds := e.datums(recs, nil)
		if len(recs) != 1 || len(ds) != 1 {
			t.Fatalf("%d records, %d datums, want 1", len(recs), len(ds))
		}
		if got := recs[0].ms; got != latest.UnixMilli() || !ds[0].Timestamp.Equal(time.UnixMilli(latest.UnixMilli())) {
			t.Errorf("case %d: record at %d ms, datum at %v; want the latest of %v to the millisecond: %d", i, got, ds[0].Timestamp, dps, latest.UnixMilli())
		}
	}
}

// TestHistogramPartOnlyForHistograms: gauge and counter records have no
// histogram part; a histogram record's is allocated once and reused, with
// its counts' memory, by the collections that follow.
func TestHistogramPartOnlyForHistograms(t *testing.T) {
	cfg := allMetrics()
	conv := newConverter(&cfg)
	t0 := time.Unix(1700000000, 0)
	rm := func(ts time.Time) *metricdata.ResourceMetrics {
		return &metricdata.ResourceMetrics{ScopeMetrics: []metricdata.ScopeMetrics{{Metrics: []metricdata.Metrics{
			{Name: "g", Data: metricdata.Gauge[int64]{DataPoints: []metricdata.DataPoint[int64]{{Time: ts, Value: 1}}}},
			{Name: "c_total", Data: metricdata.Sum[float64]{Temporality: metricdata.DeltaTemporality, IsMonotonic: true,
				DataPoints: []metricdata.DataPoint[float64]{{Time: ts, Value: 2}}}},
			{Name: "h_seconds", Data: metricdata.Histogram[float64]{Temporality: metricdata.DeltaTemporality,
				DataPoints: []metricdata.HistogramDataPoint[float64]{{Time: ts, Bounds: []float64{1}, BucketCounts: []uint64{1, 2}, Count: 3, Sum: 4}}}},
		}}}}
	}
	var hist *histPoint
	var counts *uint64
	for i := range 3 {
		recs := conv.convert(rm(t0.Add(time.Duration(i)*time.Minute)), t0.Add(time.Duration(i)*time.Minute))
		if len(recs) != 3 || recs[0].hist != nil || recs[1].hist != nil {
			t.Fatalf("collection %d: %d records; gauge and counter must have no histogram part", i, len(recs))
		}
		h := recs[2].hist
		if h == nil || !slices.Equal(h.counts, []uint64{1, 2}) || h.count != 3 || h.sum != 4 {
			t.Fatalf("collection %d: histogram part %+v, want counts [1 2] count 3 sum 4", i, h)
		}
		if i > 0 && (h != hist || &h.counts[0] != counts) {
			t.Errorf("collection %d: histogram part or its counts reallocated", i)
		}
		hist, counts = h, &h.counts[0]
	}
}
