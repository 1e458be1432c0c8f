package cloudwatch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // America/New_York on machines without a tz database

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// emfCollection is a fixed collection: a counter by outcome, a gauge and an
// ICE gathering histogram, at time t with cumulative values scaled by k.
func emfCollection(t time.Time, k float64) *metricdata.ResourceMetrics {
	outcome := func(o string) attribute.Set {
		return attribute.NewSet(attribute.String("outcome", o), attribute.String("task", "t1"))
	}
	return &metricdata.ResourceMetrics{ScopeMetrics: []metricdata.ScopeMetrics{{Metrics: []metricdata.Metrics{
		{Name: "voice_sessions_ended_total", Data: metricdata.Sum[float64]{Temporality: metricdata.CumulativeTemporality, IsMonotonic: true,
			DataPoints: []metricdata.DataPoint[float64]{
				{Attributes: outcome("completed"), Time: t, Value: 10 * k},
				{Attributes: outcome("failed"), Time: t, Value: 2 * k},
			}}},
		{Name: "voice_sessions_active", Data: metricdata.Gauge[float64]{DataPoints: []metricdata.DataPoint[float64]{
			{Attributes: attribute.NewSet(attribute.String("task", "t1")), Time: t, Value: 4 * k},
		}}},
		{Name: "voice_ice_gathering_duration_seconds", Data: metricdata.Histogram[float64]{Temporality: metricdata.CumulativeTemporality,
			DataPoints: []metricdata.HistogramDataPoint[float64]{{
				Time: t, Bounds: []float64{0.5, 1, 2.5, 5}, BucketCounts: []uint64{uint64(5 * k), uint64(3 * k), 0, uint64(1 * k), uint64(1 * k)},
				Count: uint64(10 * k), Sum: 14 * k,
			}}}},
	}}}}
}

func TestEMFGolden(t *testing.T) {
	var out bytes.Buffer
	cfg := allMetrics()
	cfg.Mode = ModeEMF
	cfg.StaticDimensions = map[string]string{"Service": "voice", "Environment": "prod"}
	cfg.Dimensions.Default = []string{"outcome"}
	exp, err := New(cfg, WithWriter(&out))
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i, k := range []float64{1, 2, 2} { // the third export has no new observation
		if err := exp.Export(t.Context(), emfCollection(t0.Add(time.Duration(i)*10*time.Second), k)); err != nil {
			t.Fatal(err)
		}
	}
	if err := exp.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	validateEMF(t, out.Bytes())
	golden := filepath.Join("testdata", "emf.golden")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("EMF output differs from %s (go test -update rewrites it):\n got:\n%s\nwant:\n%s", golden, out.Bytes(), want)
	}
}

// validateEMF checks every line against the EMF specification: a JSON
// object whose _aws member has an integer Timestamp and CloudWatchMetrics
// directives with a Namespace, Dimensions (arrays of names that are root
// members with string values) and Metrics (names that are root members with
// a number or a Values/Counts object).
func validateEMF(t *testing.T, out []byte) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(out))
	lines := 0
	for sc.Scan() {
		lines++
		var root map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &root); err != nil {
			t.Fatalf("line %d is not a JSON object: %v", lines, err)
		}
		var meta struct {
			Timestamp         *int64 `json:"Timestamp"`
			CloudWatchMetrics []struct {
				Namespace  string     `json:"Namespace"`
				Dimensions [][]string `json:"Dimensions"`
				Metrics    []struct {
					Name string `json:"Name"`
					Unit string `json:"Unit"`
				} `json:"Metrics"`
			} `json:"CloudWatchMetrics"`
		}
		if err := json.Unmarshal(root["_aws"], &meta); err != nil || meta.Timestamp == nil || len(meta.CloudWatchMetrics) == 0 {
			t.Fatalf("line %d: bad _aws metadata: %s (%v)", lines, root["_aws"], err)
		}
		for _, d := range meta.CloudWatchMetrics {
			if d.Namespace == "" || len(d.Metrics) == 0 || len(d.Metrics) > 100 {
				t.Errorf("line %d: directive needs a namespace and 1..100 metrics", lines)
			}
			for _, set := range d.Dimensions {
				if len(set) > 30 {
					t.Errorf("line %d: %d dimensions", lines, len(set))
				}
				for _, name := range set {
					var v string
					if err := json.Unmarshal(root[name], &v); err != nil {
						t.Errorf("line %d: dimension %s is not a string root member", lines, name)
					}
				}
			}
			for _, m := range d.Metrics {
				var num float64
				var hist struct {
					Values, Counts []float64
				}
				if json.Unmarshal(root[m.Name], &num) != nil {
					if err := json.Unmarshal(root[m.Name], &hist); err != nil || len(hist.Values) == 0 || len(hist.Values) != len(hist.Counts) {
						t.Errorf("line %d: metric %s is neither a number nor Values/Counts: %s", lines, m.Name, root[m.Name])
					}
				}
			}
		}
	}
	if lines == 0 {
		t.Fatal("no EMF lines written")
	}
}

// The reference EMF encoder: the writer as it was before lines were encoded
// by hand, with encoding/json. The writer's output must stay byte for byte
// identical to it. It takes the values to send from the writer's own
// walkEMF and keys lines with its appendGroupKey (TestEMFWalk,
// TestEMFHistogramObjects and TestEMFLinesByInstant check those on their
// own): what it stands for is the grouping into lines and their encoding.

type refEMFMetric struct {
	Name              string `json:"Name"`
	Unit              string `json:"Unit,omitempty"`
	StorageResolution int    `json:"StorageResolution,omitempty"`
}

type refEMFDirective struct {
	Namespace  string         `json:"Namespace"`
	Dimensions [][]string     `json:"Dimensions"`
	Metrics    []refEMFMetric `json:"Metrics"`
}

type refEMFMeta struct {
	Timestamp         int64             `json:"Timestamp"`
	CloudWatchMetrics []refEMFDirective `json:"CloudWatchMetrics"`
}

type refEMFHistogram struct {
	Values []float64 `json:"Values"`
	Counts []float64 `json:"Counts"`
	Count  uint64    `json:"Count"`
	Sum    float64   `json:"Sum"`
	Min    float64   `json:"Min"`
	Max    float64   `json:"Max"`
}

// refEMFGroup is the metrics of one line: one timestamp, one dimension set.
type refEMFGroup struct {
	r      *record
	recs   []*record
	values []any
}

// refEMFWriter is the reference encoder: lines grouped in a map, then
// encoded with encoding/json.
type refEMFWriter struct {
	w      *bufio.Writer
	cfg    *Config
	groups map[string]*refEMFGroup
	order  []*refEMFGroup
	key    []byte
}

func newRefEMFWriter(w io.Writer, cfg *Config) *refEMFWriter {
	return &refEMFWriter{w: bufio.NewWriter(w), cfg: cfg, groups: map[string]*refEMFGroup{}}
}

// write is the reference of (*emfWriter).write, for one write.
func (ew *refEMFWriter) write(recs []*record) (int, error) {
	values, err := walkEMF(recs, ew)
	if err != nil {
		return values, err
	}
	for _, g := range ew.order {
		if err := ew.line(g); err != nil {
			return values, err
		}
	}
	return values, ew.w.Flush()
}

// refValue is what encoding/json encodes for it.
func refValue(it emfItem) any {
	if it.hist != nil {
		return refEMFHistogram(*it.hist)
	}
	return it.r.value
}

// add is the reference of (*emfWriter).add.
func (ew *refEMFWriter) add(it emfItem) {
	ew.key = appendGroupKey(ew.key[:0], it.r)
	g := ew.groups[string(ew.key)]
	if g == nil || len(g.recs) == emfMaxMetrics {
		g = &refEMFGroup{r: it.r}
		ew.groups[string(ew.key)] = g
		ew.order = append(ew.order, g)
	}
	g.recs = append(g.recs, it.r)
	g.values = append(g.values, refValue(it))
}

// own is the reference of (*emfWriter).own.
func (ew *refEMFWriter) own(it emfItem) error {
	return ew.line(&refEMFGroup{r: it.r, recs: []*record{it.r}, values: []any{refValue(it)}})
}

// line is the reference of (*emfWriter).line.
func (ew *refEMFWriter) line(g *refEMFGroup) error {
	r := g.r
	dimNames := make([]string, 0, len(r.dims))
	for _, d := range r.dims {
		dimNames = append(dimNames, *d.Name)
	}
	metrics := make([]refEMFMetric, len(g.recs))
	for i, mr := range g.recs {
		metrics[i] = refEMFMetric{Name: mr.name, Unit: string(mr.unit)}
		if ew.cfg.StorageResolution == 1 {
			metrics[i].StorageResolution = 1
		}
	}
	meta, err := json.Marshal(refEMFMeta{
		Timestamp:         r.ms,
		CloudWatchMetrics: []refEMFDirective{{Namespace: ew.cfg.Namespace, Dimensions: [][]string{dimNames}, Metrics: metrics}},
	})
	if err != nil {
		return err
	}
	ew.w.WriteString(`{"_aws":`)
	ew.w.Write(meta)
	for _, d := range r.dims {
		ew.w.WriteByte(',')
		refWriteJSONString(ew.w, *d.Name)
		ew.w.WriteByte(':')
		refWriteJSONString(ew.w, *d.Value)
	}
	for i, mr := range g.recs {
		val, err := json.Marshal(g.values[i])
		if err != nil {
			return err
		}
		ew.w.WriteByte(',')
		refWriteJSONString(ew.w, mr.name)
		ew.w.WriteByte(':')
		ew.w.Write(val)
	}
	_, err = ew.w.WriteString("}\n")
	return err
}

// refWriteJSONString is the reference of appendJSONString.
func refWriteJSONString(w *bufio.Writer, s string) {
	b, _ := json.Marshal(s)
	w.Write(b)
}

// emfResult is what one write produced.
type emfResult struct {
	out    []byte
	values int
	err    error
}

// writeEMF writes recs with the writer (twice with the same writer, to
// check that reused state does not leak into the next write) and with the
// reference encoder.
func writeEMF(cfg *Config, recs []*record) (got, again, want emfResult) {
	var gotBuf, wantBuf bytes.Buffer
	ew := newEMFWriter(&gotBuf, cfg)
	got.values, got.err = ew.write(recs)
	got.out = bytes.Clone(gotBuf.Bytes())
	gotBuf.Reset()
	again.values, again.err = ew.write(recs)
	again.out = gotBuf.Bytes()
	ref := newRefEMFWriter(&wantBuf, cfg)
	want.values, want.err = ref.write(recs)
	want.out = wantBuf.Bytes()
	return got, again, want
}

// checkEMFMatchesReference fails t unless the writer writes recs exactly as
// the reference encoder does (or fails as it does: the same error after the
// same number of values).
func checkEMFMatchesReference(t *testing.T, cfg *Config, recs []*record) {
	t.Helper()
	got, again, want := writeEMF(cfg, recs)
	for _, res := range []emfResult{got, again} {
		if (res.err == nil) != (want.err == nil) || res.err != nil && res.err.Error() != want.err.Error() {
			t.Fatalf("error %v, reference %v", res.err, want.err)
		}
		if res.values != want.values {
			t.Errorf("%d values, reference %d", res.values, want.values)
		}
		if want.err != nil {
			continue // the reference leaves a partial line; the writer none
		}
		if !bytes.Equal(res.out, want.out) {
			t.Fatalf("output differs from the reference encoder:\n got: %q\nwant: %q", res.out, want.out)
		}
	}
}

// emfDim is a dimension.
func emfDim(name, value string) types.Dimension {
	return types.Dimension{Name: ptr(name), Value: ptr(value)}
}

// emfScalar is a gauge or counter record with something to send, at t as
// the converter records it.
func emfScalar(name string, unit types.StandardUnit, t time.Time, v float64, dims ...types.Dimension) *record {
	r := &record{name: name, unit: unit, ms: noTime, value: v, has: true, kind: kindCounter, dims: dims}
	r.seeTime(t)
	return r
}

// emfHist is a histogram record with something to send, at t as the
// converter records it.
func emfHist(name string, t time.Time, bounds []float64, counts []uint64, sum float64, dims ...types.Dimension) *record {
	var n uint64
	for _, c := range counts {
		n += c
	}
	r := &record{name: name, unit: types.StandardUnitSeconds, ms: noTime, kind: kindHistogram, has: true, dims: dims,
		hist: &histPoint{bounds: bounds, counts: counts, count: n, sum: sum}, merged: true}
	r.seeTime(t)
	return r
}

// emfFloats are values that exercise every branch of float formatting.
var emfFloats = []float64{
	0, math.Copysign(0, -1), 1, -1, 42, -42, 0.1, 0.5, 1.0 / 3, 2.5e-3, 123456789, 1 << 53, 1<<53 + 1,
	1e20, 1e21, -1e21, 9.999999999999999e20, 1.0000000000000001e21, 1e22, 1e100, 1.7976931348623157e308, -math.MaxFloat64,
	1e-6, 9.99999e-7, 1e-7, -1e-7, 1.5e-8, 1e-10, 1e-100, 1e-300, 2.2250738585072014e-308, 5e-324, -5e-324,
	float64(math.MaxInt64), float64(math.MaxUint64), 1e15, 1e16, 123.456e10,
}

// emfStrings are strings that exercise every branch of string escaping.
var emfStrings = []string{
	"", "prod", `a"b`, `back\slash`, `<script>&amp;</script>`, "tab\there", "nl\ncr\rff\fbs\b",
	"\x00\x01\x1f\x7f", "caf\u00e9 \u65e5\u672c \U0001F389", "\u2028sep\u2029", "bad\xffutf8", "trunc\xe2\x80",
	"\xc0\xaf overlong", "\xed\xa0\x80 surrogate", "\ufffd replacement", "'single' `back`", "/slash",
}

func TestEMFMatchesReference(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)
	svc := emfDim("Service", "voice")
	id := func(i int) types.Dimension { return emfDim("id", fmt.Sprint(i)) }

	many := make([]*record, 0, 250)
	for i := range 250 { // over two full lines at one dimension set
		many = append(many, emfScalar(fmt.Sprintf("m%d_total", i), types.StandardUnitCount, t0, float64(i), svc))
	}
	var floats []*record
	for i, f := range emfFloats {
		floats = append(floats, emfScalar(fmt.Sprintf("f%d", i), "", t0, f, svc, id(i%3)))
	}
	var strs []*record
	for i, s := range emfStrings {
		strs = append(strs, emfScalar("name"+s, types.StandardUnitNone, t0, float64(i), emfDim("dim"+s, s), emfDim("v", s)))
	}
	bigBounds := make([]float64, 300)
	bigCounts := make([]uint64, 301)
	for i := range bigBounds {
		bigBounds[i] = float64(i) * 1e-7
		bigCounts[i] = uint64(i % 7)
	}
	bigCounts[300] = 1 << 60
	ny := time.FixedZone("EDT", -4*3600)
	nyWinter := time.FixedZone("EST", -5*3600)
	notSent := emfScalar("not_sent", "", t0, 1, svc)
	notSent.has = false

	cases := []struct {
		name string
		cfg  func(*Config)
		recs []*record
	}{
		{"gauges and counters on one line", nil, []*record{
			emfScalar("voice_sessions_active", "", t0, 4, svc),
			emfScalar("voice_sessions_ended_total", types.StandardUnitCount, t0, 3, svc),
			notSent,
			emfScalar("voice_bytes_total", types.StandardUnitBytes, t0, 1e9, svc),
		}},
		{"a line per dimension set", nil, []*record{
			emfScalar("a", "", t0, 1, svc, id(1)), emfScalar("a", "", t0, 2, svc, id(2)), emfScalar("b", "", t0, 3, svc, id(1)),
		}},
		{"no dimensions", nil, []*record{emfScalar("a", "", t0, 1), emfScalar("b", "", t0, 2)}},
		{"over 100 metrics split into lines", nil, many},
		{"extreme floats", nil, floats},
		{"escaped strings", func(c *Config) { c.Namespace = "Voice\"Watch<&>\u2028\xff" }, strs},
		{"storage resolution 1", func(c *Config) { c.StorageResolution = 1 }, []*record{
			emfScalar("a", types.StandardUnitCount, t0, 1, svc), emfScalar("b", "", t0, 2, svc),
		}},
		{"histograms", nil, []*record{
			emfHist("h1", t0, []float64{0.5, 1, 2.5, 5}, []uint64{5, 3, 0, 1, 1}, 14, svc),
			emfScalar("g", "", t0, 7, svc),
			emfHist("h_empty", t0, []float64{1, 2}, []uint64{0, 0, 0}, 0, svc),
			emfHist("h_negative", t0, []float64{-10, -1, 0, 1e-9, 1e21}, []uint64{1, 2, 3, 4, 5, 6}, -1e-300, svc),
			emfHist("h_nobounds", t0, nil, []uint64{9}, 1e22, svc),
			emfHist("h_huge", t0, []float64{1e300, math.MaxFloat64}, []uint64{1 << 62, 1 << 63, 1}, 1.5e308, svc),
		}},
		{"histogram split over 100 values", nil, []*record{
			emfScalar("before", "", t0, 1, svc),
			emfHist("h_big", t0, bigBounds, bigCounts, 12345.678, svc),
			emfScalar("after", "", t0, 2, svc),
		}},
		{"timestamps", nil, []*record{
			emfScalar("same_ms", "", t0, 1, svc),
			emfScalar("same_ms2", "", t0.Add(500*time.Microsecond), 2, svc),
			emfScalar("next_ms", "", t0.Add(time.Millisecond), 3, svc),
			emfScalar("same_instant_other_zone", "", t0.In(ny), 4, svc),
			emfScalar("same_wall_clock_other_instant", "", time.Date(2026, 11, 1, 1, 30, 0, 0, ny), 5, svc),
			emfScalar("same_wall_clock_other_instant", "", time.Date(2026, 11, 1, 1, 30, 0, 0, nyWinter), 6, svc),
			emfScalar("before_1970", "", time.Date(1969, 12, 31, 23, 59, 59, 999_500_000, time.UTC), 7, svc),
			emfScalar("year_10000", "", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), 8, svc),
			emfScalar("unix_zero", "", time.Unix(0, 0), 9, svc),
		}},
		{"nothing to send", nil, []*record{notSent, emfHist("h_empty", t0, []float64{1}, []uint64{0, 0}, 0)}},
		{"infinite counter", nil, []*record{emfScalar("ok", "", t0, 1, svc), emfScalar("inf", "", t0, math.Inf(1), svc)}},
		{"NaN histogram sum", nil, []*record{emfHist("h", t0, []float64{1}, []uint64{1, 1}, math.NaN(), svc)}},
		{"infinite histogram bound", nil, []*record{emfHist("h", t0, []float64{1, math.Inf(1)}, []uint64{1, 1, 1}, 3, svc)}},
		{"infinite value in a split histogram", nil, []*record{
			emfHist("h", t0, append(slices.Clone(bigBounds), math.Inf(-1)), append(slices.Clone(bigCounts), 1), 3, svc),
		}},
	}
	if loc, err := time.LoadLocation("America/New_York"); err == nil {
		// 01:30 on the day daylight saving time ends is two instants an
		// hour apart, with one wall-clock time.
		fallBack := time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC)
		cases = append(cases, struct {
			name string
			cfg  func(*Config)
			recs []*record
		}{"daylight saving time ends", nil, []*record{
			emfScalar("edt", "", fallBack.In(loc), 1, svc),
			emfScalar("est", "", fallBack.Add(time.Hour).In(loc), 2, svc),
			emfScalar("utc", "", fallBack.Add(time.Hour), 3, svc),
		}})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := allMetrics()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			checkEMFMatchesReference(t, &cfg, tc.recs)
		})
	}
}

func TestEMFNonFiniteWritesNoPartialLine(t *testing.T) {
	var out bytes.Buffer
	cfg := allMetrics()
	ew := newEMFWriter(&out, &cfg)
	t0 := time.Unix(1772366400, 0)
	if _, err := ew.write([]*record{emfScalar("inf", "", t0, math.Inf(-1))}); err == nil {
		t.Fatal("no error for -Inf")
	}
	if _, err := ew.write([]*record{emfScalar("ok", "", t0, 1)}); err != nil {
		t.Fatal(err)
	}
	validateEMF(t, out.Bytes())
	if n := bytes.Count(out.Bytes(), []byte("\n")); n != 1 {
		t.Errorf("%d lines, want 1:\n%s", n, out.Bytes())
	}
}

func FuzzEMFEncode(f *testing.F) {
	for i, s := range emfStrings {
		f.Add(emfFloats[i], emfFloats[len(emfFloats)-1-i], s, int64(1772366400123+i), int32(i*1800))
	}
	f.Add(math.Inf(1), math.NaN(), "", int64(-1), int32(-3600))
	f.Add(1e21, 1e-7, "x\u2029y", int64(253402300800000), int32(0))
	f.Fuzz(func(t *testing.T, v, bound float64, s string, ms int64, offset int32) {
		if !math.IsInf(v, 0) && !math.IsNaN(v) {
			want, _ := json.Marshal(v)
			if got := appendJSONFloat(nil, v); !bytes.Equal(got, want) {
				t.Fatalf("appendJSONFloat(%v) = %s, encoding/json %s", v, got, want)
			}
		}
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendJSONString(%q) = %s, encoding/json %s", s, got, want)
		}
		t0 := time.UnixMilli(ms % (1 << 50)).In(time.FixedZone("z", int(offset%(24*3600))))
		t1 := t0.Add(time.Duration(ms%3) * 700 * time.Microsecond).In(time.UTC)
		recs := []*record{
			emfScalar(s, types.StandardUnitCount, t0, v, emfDim("d", s), emfDim(s+"x", "v")),
			emfScalar("m", "", t1, -v/3, emfDim("d", s), emfDim(s+"x", "v")),
			emfHist("h"+s, t0, []float64{bound, bound + 1, bound * 1e10}, []uint64{1, 0, 3, uint64(ms) % 1000}, v*bound, emfDim("d", s)),
		}
		cfg := allMetrics()
		cfg.Namespace = s
		if offset%2 == 0 {
			cfg.StorageResolution = 1
		}
		checkEMFMatchesReference(t, &cfg, recs)
	})
}

// TestEMFHistogramObjects checks the histogram objects' arithmetic: a line
// of a split histogram carries its own count and the sum of its
// representative values; a sum that an observation of ±Inf or NaN made
// non-finite is estimated from the representative values.
func TestEMFHistogramObjects(t *testing.T) {
	got := splitLine([]float64{0.5, 2, 4}, []float64{2, 0, 3})
	want := emfHistogram{Values: []float64{0.5, 2, 4}, Counts: []float64{2, 0, 3}, Count: 5, Sum: 13, Min: 0.5, Max: 4}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("splitLine = %+v, want %+v", got, want)
	}
	for _, tc := range []struct{ sum, want float64 }{
		{7.25, 7.25}, {0, 0}, {-1e-300, -1e-300},
		{math.NaN(), 13}, {math.Inf(1), 13}, {math.Inf(-1), 13},
	} {
		if got := finiteSum(tc.sum, []float64{0.5, 2, 4}, []float64{2, 0, 3}); got != tc.want {
			t.Errorf("finiteSum(%v) = %v, want %v", tc.sum, got, tc.want)
		}
	}
}

// emfCalls is an emfLines that records what walkEMF sends it; own fails
// on call failOwn (counting from 1; 0: never).
type emfCalls struct {
	calls   []string
	owns    int
	failOwn int
}

func (c *emfCalls) add(it emfItem) { c.calls = append(c.calls, "add "+describeEMFItem(it)) }

func (c *emfCalls) own(it emfItem) error {
	c.owns++
	if c.owns == c.failOwn {
		return errors.New("own failed")
	}
	c.calls = append(c.calls, "own "+describeEMFItem(it))
	return nil
}

func describeEMFItem(it emfItem) string {
	if it.hist == nil {
		return fmt.Sprintf("%s %v", it.r.name, it.r.value)
	}
	h := it.hist
	return fmt.Sprintf("%s values=%d count=%d sum=%v min=%v max=%v", it.r.name, len(h.Values), h.Count, h.Sum, h.Min, h.Max)
}

// TestEMFWalk checks which values a write sends to which lines: records
// with nothing to send and histograms without an observation send
// nothing; a histogram's object goes on the shared line with its exact
// count and a finite sum; a histogram over 100 values gets lines of its
// own, each with its own count and sum, in order; the first failing line
// of its own stops the walk after the values sent before it.
func TestEMFWalk(t *testing.T) {
	t0 := time.Unix(1772366400, 0)
	notSent := emfScalar("not_sent", "", t0, 1)
	notSent.has = false
	bounds := make([]float64, 150) // buckets represented by 1, 3, 5, ..., 299, and 300 (+Inf)
	counts := make([]uint64, 151)
	for i := range bounds {
		bounds[i] = float64(2 * (i + 1))
		counts[i] = 1
	}
	counts[150] = 1
	recs := []*record{
		emfScalar("g", "", t0, 7),
		notSent,
		emfHist("h_empty", t0, []float64{1, 2}, []uint64{0, 0, 0}, 0),
		emfHist("h_nan", t0, []float64{1}, []uint64{1, 1}, math.NaN()),
		emfHist("h_big", t0, bounds, counts, 12345),
		emfScalar("after", "", t0, 2),
	}
	want := []string{
		"add g 7",
		"add h_nan values=2 count=2 sum=1.5 min=0.5 max=1",
		"own h_big values=100 count=100 sum=10000 min=1 max=199",
		"own h_big values=51 count=51 sum=12800 min=201 max=300",
		"add after 2",
	}
	var c emfCalls
	if n, err := walkEMF(recs, &c); err != nil || n != 5 || !slices.Equal(c.calls, want) {
		t.Errorf("walkEMF = %d, %v, sent:\n%s\nwant 5, nil:\n%s", n, err, strings.Join(c.calls, "\n"), strings.Join(want, "\n"))
	}
	c = emfCalls{failOwn: 2}
	if n, err := walkEMF(recs, &c); err == nil || n != 3 || !slices.Equal(c.calls, want[:3]) {
		t.Errorf("walkEMF with the second own line failing = %d, %v, sent:\n%s\nwant 3, an error:\n%s", n, err, strings.Join(c.calls, "\n"), strings.Join(want[:3], "\n"))
	}
}

// TestEMFLinesByInstant: metrics at one instant share a line whatever the
// zone of their times; the two 01:30s of a daylight-saving change, an hour
// apart, do not.
func TestEMFLinesByInstant(t *testing.T) {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	svc := types.Dimension{Name: ptr("Service"), Value: ptr("voice")}
	fallBack := time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC) // 01:30 EDT
	cfg := allMetrics()
	var buf bytes.Buffer
	ew := newEMFWriter(&buf, &cfg)
	if _, err := ew.write([]*record{
		emfScalar("edt", "", fallBack.In(loc), 1, svc),
		emfScalar("est", "", fallBack.Add(time.Hour).In(loc), 2, svc), // 01:30 EST
		emfScalar("utc", "", fallBack.Add(time.Hour), 3, svc),
	}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"edt":1}`) || !strings.Contains(lines[1], `"est":2,"utc":3}`) {
		t.Errorf("want one line for 01:30 EDT and one for 01:30 EST = 06:30 UTC, got:\n%s", buf.String())
	}
}
