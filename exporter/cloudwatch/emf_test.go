package cloudwatch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

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
	cfg := DefaultConfig()
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
