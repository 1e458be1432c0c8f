package cloudwatch

import (
	"context"
	"flag"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	prombridge "go.opentelemetry.io/contrib/bridges/prometheus"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/goleak"

	"github.com/voicewatch/voicewatch/exporter/cloudwatch/catalog"
	"github.com/voicewatch/voicewatch/internal/awstest"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testConfig returns a config with fast retries for tests.
func testConfig() Config {
	c := allMetrics()
	c.Retry = RetryConfig{MaxAttempts: 2, InitialBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}
	return c
}

// allMetrics returns the defaults with every metric published (the tests
// use names outside the catalogue); the known gauges outside the catalogue
// get the aggregation max, which an include of them needs.
func allMetrics() Config {
	c := Config{}.WithDefaults()
	c.Include = []string{"*"}
	c.Aggregations = map[string]catalog.Aggregation{}
	for _, n := range catalog.KnownNames() {
		if k, _, _ := catalog.Known(n); k == catalog.Gauge {
			c.Aggregations[n] = catalog.Max
		}
	}
	return c
}

// newAPIExporter returns an exporter in mode api against a fresh test server
// (SDK retries off: the exporter retries).
func newAPIExporter(t testing.TB, cfg Config) (*exporter, *awstest.CloudWatch) {
	t.Helper()
	srv := awstest.NewCloudWatch(t)
	exp, err := New(cfg, WithClient(srv.Client(awstest.WithMaxAttempts(1))))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = exp.Shutdown(context.Background()) })
	return exp.(*exporter), srv
}

// collect gathers reg through the Prometheus bridge, as the sidecar does.
func collect(t testing.TB, reg *prometheus.Registry) *metricdata.ResourceMetrics {
	t.Helper()
	sms, err := prombridge.NewMetricProducer(prombridge.WithGatherer(reg)).Produce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return &metricdata.ResourceMetrics{ScopeMetrics: sms}
}

// sumByDim sums the Value of stored datums of metric name by the value of
// dimension dim.
func sumByDim(srv *awstest.CloudWatch, name, dim string) map[string]float64 {
	out := map[string]float64{}
	for _, d := range srv.Datums() {
		if aws.ToString(d.MetricName) != name {
			continue
		}
		key := ""
		for _, dd := range d.Dimensions {
			if *dd.Name == dim {
				key = *dd.Value
			}
		}
		out[key] += aws.ToFloat64(d.Value)
	}
	return out
}

func dropped(e *exporter, reason string) float64 {
	return value(e.health.dropped.WithLabelValues(reason))
}

// value reads the value of a collector holding one counter or gauge.
func value(c prometheus.Collector) float64 {
	ch := make(chan prometheus.Metric, 1)
	c.Collect(ch)
	var m dto.Metric
	if err := (<-ch).Write(&m); err != nil {
		panic(err)
	}
	if m.Counter != nil {
		return m.Counter.GetValue()
	}
	return m.Gauge.GetValue()
}
