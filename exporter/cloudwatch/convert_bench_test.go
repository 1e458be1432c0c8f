package cloudwatch

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// convertBenchMetrics and convertBenchIDs shape the conversion benchmarks:
// 100 metric names × 100 values of the allowed dimension id.
const (
	convertBenchMetrics = 100
	convertBenchIDs     = 100
)

// counterCollection is 10k cumulative counter series (100 metrics × 100
// ids), built directly rather than through the bridge so that advance can
// move every value forward cheaply between collections.
func counterCollection() *metricdata.ResourceMetrics {
	sets := idSets(convertBenchIDs)
	start := time.Unix(1700000000, 0)
	ms := make([]metricdata.Metrics, convertBenchMetrics)
	for m := range ms {
		dps := make([]metricdata.DataPoint[float64], len(sets))
		for i := range dps {
			dps[i] = metricdata.DataPoint[float64]{Attributes: sets[i], StartTime: start, Time: start, Value: float64(i)}
		}
		ms[m] = metricdata.Metrics{Name: fmt.Sprintf("bench_%d_total", m),
			Data: metricdata.Sum[float64]{Temporality: metricdata.CumulativeTemporality, IsMonotonic: true, DataPoints: dps}}
	}
	return &metricdata.ResourceMetrics{ScopeMetrics: []metricdata.ScopeMetrics{{Metrics: ms}}}
}

// histogramCollection is 1k cumulative histogram series (10 metrics × 100
// ids) of 12 buckets each.
func histogramCollection() *metricdata.ResourceMetrics {
	sets := idSets(convertBenchIDs)
	start := time.Unix(1700000000, 0)
	bounds := []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
	ms := make([]metricdata.Metrics, 10)
	for m := range ms {
		dps := make([]metricdata.HistogramDataPoint[float64], len(sets))
		for i := range dps {
			dps[i] = metricdata.HistogramDataPoint[float64]{Attributes: sets[i], StartTime: start, Time: start,
				Bounds: bounds, BucketCounts: make([]uint64, len(bounds)+1)}
		}
		ms[m] = metricdata.Metrics{Name: fmt.Sprintf("bench_%d_seconds", m),
			Data: metricdata.Histogram[float64]{Temporality: metricdata.CumulativeTemporality, DataPoints: dps}}
	}
	return &metricdata.ResourceMetrics{ScopeMetrics: []metricdata.ScopeMetrics{{Metrics: ms}}}
}

// idSets returns n attribute sets {id=0} … {id=n-1}.
func idSets(n int) []attribute.Set {
	sets := make([]attribute.Set, n)
	for i := range sets {
		sets[i] = attribute.NewSet(attribute.String("id", fmt.Sprint(i)))
	}
	return sets
}

// advance moves every series of rm forward by one interval: counters grow
// by their id's index plus one, histograms get one more observation in a
// bucket that depends on the series.
func advance(rm *metricdata.ResourceMetrics, interval time.Duration) time.Time {
	var now time.Time
	for _, m := range rm.ScopeMetrics[0].Metrics {
		switch data := m.Data.(type) {
		case metricdata.Sum[float64]:
			for i := range data.DataPoints {
				dp := &data.DataPoints[i]
				dp.Time = dp.Time.Add(interval)
				dp.Value += float64(i%7 + 1)
				now = dp.Time
			}
		case metricdata.Histogram[float64]:
			for i := range data.DataPoints {
				dp := &data.DataPoints[i]
				dp.Time = dp.Time.Add(interval)
				dp.BucketCounts[(i+int(dp.Count))%len(dp.BucketCounts)]++
				dp.Count++
				dp.Sum += 0.1
				now = dp.Time
			}
		}
	}
	return now
}

// benchConvertConfig allows the dimension id on every metric, with the two
// static dimensions of the sidecar.
func benchConvertConfig() *Config {
	cfg := benchConfig()
	return &cfg
}

// BenchmarkConvert10kSeries is the conversion alone (no writer) of 10k
// counter series whose values advance every collection. It also reports the
// heap the converter keeps live between collections (live-B).
func BenchmarkConvert10kSeries(b *testing.B) {
	benchConvert(b, counterCollection(), convertBenchMetrics*convertBenchIDs)
}

// BenchmarkConvert1kHistograms is the conversion alone of 1k histogram
// series of 12 buckets whose counts advance every collection.
func BenchmarkConvert1kHistograms(b *testing.B) {
	benchConvert(b, histogramCollection(), 10*convertBenchIDs)
}

// benchConvert converts rm, advanced before each collection, and checks
// that every one of the want records has something to send. live-B is the
// heap the converter holds after the last collection (records, dimensions,
// delta state), measured after a full GC.
func benchConvert(b *testing.B, rm *metricdata.ResourceMetrics, want int) {
	before := liveHeap()
	conv := newConverter(benchConvertConfig())
	conv.convert(rm, advance(rm, 10*time.Second)) // baselines
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		recs := conv.convert(rm, advance(rm, 10*time.Second))
		if len(recs) != want || !recs[len(recs)-1].has {
			b.Fatalf("%d records, want %d with data", len(recs), want)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(liveHeap()-before), "live-B")
	runtime.KeepAlive(conv)
	runtime.KeepAlive(rm) // allocated before the baseline: not counted

}

// liveHeap returns the bytes of live heap objects after full collections
// (two: sync.Pool keeps its victims over one).
func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}
