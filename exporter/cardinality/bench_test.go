package cardinality

import (
	"fmt"
	"testing"

	dto "github.com/prometheus/client_model/go"
)

// fixedGatherer returns the same families on every Gather, like a scrape of
// targets whose series do not change.
type fixedGatherer []*dto.MetricFamily

func (f fixedGatherer) Gather() ([]*dto.MetricFamily, error) { return f, nil }

func ptr[T any](v T) *T { return &v }

// families builds nFams gauge families of nSeries series each, every series
// with the two labels id and job.
func families(nFams, nSeries int) fixedGatherer {
	fams := make(fixedGatherer, nFams)
	for i := range fams {
		mf := &dto.MetricFamily{
			Name:   ptr(fmt.Sprintf("scraped_metric_%d", i)),
			Help:   ptr("h"),
			Type:   dto.MetricType_GAUGE.Enum(),
			Metric: make([]*dto.Metric, nSeries),
		}
		for j := range mf.Metric {
			mf.Metric[j] = &dto.Metric{
				Label: []*dto.LabelPair{
					{Name: ptr("id"), Value: ptr(fmt.Sprintf("instance-%05d", j))},
					{Name: ptr("job"), Value: ptr("node")},
				},
				Gauge: &dto.Gauge{Value: ptr(float64(j))},
			}
		}
		fams[i] = mf
	}
	return fams
}

// BenchmarkGather10k measures the steady state of the sidecar's export: the
// same 100 families of 100 series gathered again and again, every series
// already admitted.
func BenchmarkGather10k(b *testing.B) {
	g := New(Config{}, families(100, 100))
	if _, err := g.Gather(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Gather(); err != nil {
			b.Fatal(err)
		}
	}
}
