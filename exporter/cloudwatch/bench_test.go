package cloudwatch

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/voicewatch/voicewatch/internal/awstest"
)

const benchSeries = 10000

// benchCollection is 10k counter series (10 metrics × 1000 ids) gathered
// through the Prometheus bridge.
func benchCollection(b *testing.B) *metricdata.ResourceMetrics {
	reg := prometheus.NewRegistry()
	for m := range 10 {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: fmt.Sprintf("bench_%d_total", m), Help: "x"}, []string{"id", "other"})
		reg.MustRegister(c)
		for i := range benchSeries / 10 {
			c.WithLabelValues(fmt.Sprint(i), "x").Add(float64(i))
		}
	}
	return collect(b, reg)
}

func benchConfig() Config {
	cfg := allMetrics()
	cfg.StaticDimensions = map[string]string{"Service": "voice", "Environment": "bench"}
	cfg.Dimensions.Default = []string{"id"}
	return cfg
}

// BenchmarkExport10kSeries is one Export of 10k series to the in-process
// CloudWatch server (conversion, batching, SDK serialisation, gzip, HTTP on
// loopback and the test server's decoding).
func BenchmarkExport10kSeries(b *testing.B) {
	srv := awstest.NewCloudWatch(b)
	exp, err := New(benchConfig(), WithClient(srv.Client(awstest.WithMaxAttempts(1))))
	if err != nil {
		b.Fatal(err)
	}
	defer exp.Shutdown(context.Background())
	rm := benchCollection(b)
	ctx := context.Background()
	if err := exp.Export(ctx, rm); err != nil { // baseline collection: no datums
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := exp.Export(ctx, rm); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	calls := srv.PutMetricDataCalls()
	b.ReportMetric(float64(srv.DatumCount())/float64(len(calls)), "datums/request")
	b.ReportMetric(float64(srv.DatumCount())/float64(b.N), "datums/op")
}

// BenchmarkPutMetricDataBaseline10k is the floor under Export: the same 10k
// datums, prebuilt, sent as 10 PutMetricData calls of 1000 with the same SDK
// client and server.
func BenchmarkPutMetricDataBaseline10k(b *testing.B) {
	srv := awstest.NewCloudWatch(b)
	client := srv.Client(awstest.WithMaxAttempts(1))
	e := &exporter{cfg: benchConfig()}
	conv := newConverter(&e.cfg)
	rm := benchCollection(b)
	conv.convert(rm, rm.ScopeMetrics[0].Metrics[0].Data.(metricdata.Sum[float64]).DataPoints[0].Time)
	ds := e.datums(conv.convert(rm, rm.ScopeMetrics[0].Metrics[0].Data.(metricdata.Sum[float64]).DataPoints[0].Time), nil)
	if len(ds) != benchSeries {
		b.Fatalf("%d datums", len(ds))
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i := 0; i < len(ds); i += 1000 {
			if _, err := client.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("VoiceWatch"), MetricData: ds[i : i+1000]}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkConvertEMF10kSeries is the conversion alone, written as EMF lines
// to io.Discard (no network).
func BenchmarkConvertEMF10kSeries(b *testing.B) {
	cfg := benchConfig()
	cfg.Mode = ModeEMF
	exp, err := New(cfg, WithWriter(io.Discard))
	if err != nil {
		b.Fatal(err)
	}
	rm := benchCollection(b)
	ctx := context.Background()
	_ = exp.Export(ctx, rm)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := exp.Export(ctx, rm); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEMFWrite10kSeries is the EMF writer alone: the records of 10k
// counter series, converted once, written as lines to io.Discard.
func BenchmarkEMFWrite10kSeries(b *testing.B) {
	cfg := benchConfig()
	conv := newConverter(&cfg)
	rm := benchCollection(b)
	now := rm.ScopeMetrics[0].Metrics[0].Data.(metricdata.Sum[float64]).DataPoints[0].Time
	conv.convert(rm, now) // baselines
	recs := conv.convert(rm, now)
	ew := newEMFWriter(io.Discard, &cfg)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if n, err := ew.write(recs); err != nil || n != benchSeries {
			b.Fatal(n, err)
		}
	}
}
