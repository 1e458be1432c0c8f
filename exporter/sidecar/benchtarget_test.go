package sidecar

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/exporter/sidecar/internal/benchtarget"
	"github.com/voicewatch/voicewatch/internal/awstest"
)

// envBench gates TestPutMetricDataBatching10k: it pushes 10k series through
// the whole sidecar several times (seconds of CPU), so it runs only when
// VOICEWATCH_BENCH=1, as scripts/bench-otelcol.sh sets it.
const envBench = "VOICEWATCH_BENCH"

// benchShapes are the 10k-series targets of the datums-per-request figures.
var benchShapes = []struct {
	name string
	cfg  benchtarget.Config
}{
	// 40 counters + 38 gauges + 2 histograms (11 series each) × 100 ids:
	// the target of scripts/bench-otelcol.sh; 8000 datums per export.
	{"mixed", benchtarget.Config{}},
	// 50 counters + 50 gauges × 100 ids: 10 000 datums per export.
	{"counters_gauges", benchtarget.Config{Counters: 50, Gauges: 50, NoHistograms: true}},
}

// pushRig is a sidecar in api mode against the CloudWatch test server,
// scraping a 10k-series target; scrapes and exports happen when cycle says.
type pushRig struct {
	sc     *running
	cw     *awstest.CloudWatch
	target *benchtarget.Target
	emf    bool // EMF to a file instead of the API
}

func newPushRig(tb testing.TB, cfg benchtarget.Config, withCloudWatch bool) *pushRig {
	tb.Helper()
	return newPushRigEvery(tb, cfg, withCloudWatch, "1h")
}

// newEMFRig is a sidecar writing EMF to a file, as in scripts/bench-otelcol.sh.
func newEMFRig(tb testing.TB, cfg benchtarget.Config) *pushRig {
	tb.Helper()
	r := &pushRig{target: benchtarget.New(cfg), emf: true}
	srv := httptest.NewServer(r.target)
	tb.Cleanup(srv.Close)
	r.sc = startSidecar(tb, fmt.Sprintf(`
scrape:
  interval: 1h
  targets: [{name: bench, url: %q}]
export_interval: 1h
cloudwatch:
  mode: emf
  emf_path: %q
  namespace: Bench
  static_dimensions: {Service: bench, Environment: test}
  include: ["bench_*"]
  dimensions: {default: [id]}
`, srv.URL, filepath.Join(tb.TempDir(), "emf.log")))
	return r
}

// newPushRigEvery scrapes and exports on their own every interval.
func newPushRigEvery(tb testing.TB, cfg benchtarget.Config, withCloudWatch bool, interval string) *pushRig {
	tb.Helper()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "test-secret", "AWS_REGION": "us-east-1",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
	} {
		tb.Setenv(k, v)
	}
	r := &pushRig{target: benchtarget.New(cfg)}
	srv := httptest.NewServer(r.target)
	tb.Cleanup(srv.Close)
	conf := fmt.Sprintf(`
scrape:
  interval: %[2]s
  targets: [{name: bench, url: %[1]q}]
export_interval: %[2]s
`, srv.URL, interval)
	if withCloudWatch {
		r.cw = awstest.NewCloudWatch(tb)
		conf += fmt.Sprintf(`
cloudwatch:
  mode: api
  endpoint: %q
  namespace: Bench
  static_dimensions: {Service: bench, Environment: test}
  include: ["bench_*"]
  dimensions: {default: [id]}
`, r.cw.URL)
	}
	r.sc = startSidecar(tb, conf)
	return r
}

// cycle scrapes the target once and exports (and, with CloudWatch, sends)
// one collection.
func (r *pushRig) cycle(tb testing.TB) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r.sc.gen.Load().scraper.ScrapeAll(ctx)
	if r.cw == nil && !r.emf {
		if _, err := r.sc.Gatherer().Gather(); err != nil {
			tb.Fatal(err)
		}
		return
	}
	if err := r.sc.Flush(ctx); err != nil {
		tb.Fatal(err)
	}
}

// Average datums per PutMetricData request at 10k series, through the whole
// sidecar: scrape → cardinality limiter → bridge → CloudWatch exporter → the real SDK
// client → internal/awstest. The target's values advance on every scrape,
// so every series has a datum in every export after the first.
func TestPutMetricDataBatching10k(t *testing.T) {
	if os.Getenv(envBench) != "1" {
		t.Skipf("set %s=1 to push 10k series through the whole sidecar", envBench)
	}
	const exports = 3
	for _, shape := range benchShapes {
		t.Run(shape.name, func(t *testing.T) {
			r := newPushRig(t, shape.cfg, true)
			r.cycle(t) // baseline of the cumulative counters
			calls0, datums0 := len(r.cw.PutMetricDataCalls()), r.cw.DatumCount()
			for range exports {
				r.cycle(t)
			}
			calls := r.cw.PutMetricDataCalls()[calls0:]
			datums := r.cw.DatumCount() - datums0
			perExport := datums / exports
			// Every series is a datum (histograms: one datum of Values/Counts
			// per series), plus the sidecar's own voicewatch_* health.
			minPerExport := (shape.cfg.WithDefaults().Counters + shape.cfg.WithDefaults().Gauges + shape.cfg.WithDefaults().Histograms) * shape.cfg.WithDefaults().SeriesPerMetric
			if perExport < minPerExport {
				t.Fatalf("%d datums per export, want at least %d (one per target series)", perExport, minPerExport)
			}
			// Optimal batching: each export in ceil(n/1000) requests.
			optimal := exports * ((perExport + 999) / 1000)
			avg := float64(datums) / float64(len(calls))
			t.Logf("%s: %d datums per export in %d requests over %d exports: %.1f datums/request (optimum for %d datums: %.1f)",
				shape.name, perExport, len(calls), exports, avg, perExport, float64(datums)/float64(optimal))
			if len(calls) != optimal {
				t.Errorf("%d requests for %d exports of %d datums, want %d (full requests of 1000)", len(calls), exports, perExport, optimal)
			}
			for i, c := range calls {
				if len(c.Datums) == 1000 && !c.Compressed {
					t.Errorf("request %d (1000 datums) was not gzip-compressed", i)
				}
			}
			// Issue 4's target is >= 950 datums per request. Batching is per
			// export, so the average is n/ceil(n/1000): the sidecar's own
			// voicewatch_* datums add a short request to 10k target series.
			met := "met"
			if avg < 950 {
				met = "NOT met"
			}
			t.Logf("target >= 950 datums/request: %s", met)
		})
	}
}

// BenchmarkSidecarPush10k: one op is one scrape of the 10k-series target and
// one export through the whole sidecar to the CloudWatch test server; the
// baseline ("scrape_only") is the same scrape and a gather of the hub with
// no sink; "emf" is one scrape and one export written as EMF lines to a file
// (the work scripts/bench-otelcol.sh compares with the OTel Collector).
// Reports datums/request.
func BenchmarkSidecarPush10k(b *testing.B) {
	for _, shape := range benchShapes {
		for _, sink := range []string{"scrape_only", "cloudwatch_api", "emf"} {
			b.Run(shape.name+"/"+sink, func(b *testing.B) {
				var r *pushRig
				if sink == "emf" {
					r = newEMFRig(b, shape.cfg)
				} else {
					r = newPushRig(b, shape.cfg, sink == "cloudwatch_api")
				}
				r.cycle(b)
				var calls0, datums0 int
				if r.cw != nil {
					calls0, datums0 = len(r.cw.PutMetricDataCalls()), r.cw.DatumCount()
				}
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					r.cycle(b)
				}
				b.StopTimer()
				if r.cw != nil {
					calls, datums := len(r.cw.PutMetricDataCalls())-calls0, r.cw.DatumCount()-datums0
					b.ReportMetric(float64(datums)/float64(calls), "datums/request")
					b.ReportMetric(float64(datums)/float64(b.N), "datums/op")
				}
			})
		}
	}
}

// TestPutMetricDataPeriodic10k measures the same through the periodic
// exports a running sidecar makes (ForceFlush, used above, sends every
// datum at once; a periodic export lets a small last request wait one
// interval so requests stay full).
func TestPutMetricDataPeriodic10k(t *testing.T) {
	if os.Getenv(envBench) != "1" {
		t.Skipf("set %s=1 to push 10k series through the whole sidecar", envBench)
	}
	r := newPushRigEvery(t, benchtarget.Config{Counters: 50, Gauges: 50, NoHistograms: true}, true, "1s")
	const skip, window = 3, 30 // requests: warm-up, then the measured ones
	deadline := time.Now().Add(2 * time.Minute)
	for len(r.cw.PutMetricDataCalls()) < skip+window {
		if time.Now().After(deadline) {
			t.Fatalf("only %d requests in 2 minutes", len(r.cw.PutMetricDataCalls()))
		}
		time.Sleep(100 * time.Millisecond)
	}
	calls := r.cw.PutMetricDataCalls()[skip : skip+window]
	datums := 0
	for _, c := range calls {
		datums += len(c.Datums)
	}
	avg := float64(datums) / float64(len(calls))
	t.Logf("periodic exports every 1s, 10k target series + the sidecar's own: %d datums in %d requests: %.1f datums/request (target >= 950)", datums, len(calls), avg)
	if avg < 950 {
		t.Errorf("%.1f datums per request, want >= 950", avg)
	}
}
