package cloudwatch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/voicewatch/voicewatch/internal/awstest"
)

func sessionsCounter(reg *prometheus.Registry) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "voice_sessions_ended_total", Help: "x"}, []string{"outcome"})
	reg.MustRegister(c)
	return c
}

var outcomes = []string{"completed", "abandoned", "failed"}

func TestOutageThenRecoveryDeliversEveryDeltaOnce(t *testing.T) {
	tests := []struct {
		name  string
		fault awstest.Fault
	}{
		{"throttled", awstest.Fault{Kind: awstest.FaultThrottle}},
		{"server errors", awstest.Fault{Kind: awstest.FaultServerError, Status: http.StatusServiceUnavailable}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp, srv, reg, c := counterExporter(t, "voice_sessions_ended_total", "outcome")
			for _, o := range outcomes {
				c.WithLabelValues(o).Add(100) // history before the sidecar started
			}
			ctx := t.Context()
			if err := exp.Export(ctx, collect(t, reg)); err != nil {
				t.Fatalf("baseline export: %v", err)
			}
			srv.Inject(tt.fault)
			const outage = 5
			want := map[string]float64{}
			for i := range outage {
				for j, o := range outcomes {
					c.WithLabelValues(o).Add(float64(i + j + 1))
					want[o] += float64(i + j + 1)
				}
				if err := exp.Export(ctx, collect(t, reg)); !errors.Is(err, ErrNotDelivered) {
					t.Fatalf("export during outage: err = %v, want ErrNotDelivered", err)
				}
			}
			if got := value(exp.health.queued); got != outage*3 {
				t.Errorf("queue = %v, want %d", got, outage*3)
			}
			srv.Clear()
			for _, o := range outcomes {
				c.WithLabelValues(o).Inc()
				want[o]++
			}
			if err := exp.Export(ctx, collect(t, reg)); err != nil {
				t.Fatalf("export after recovery: %v", err)
			}
			got := sumByDim(srv, "voice_sessions_ended_total", "outcome")
			for _, o := range outcomes {
				if got[o] != want[o] {
					t.Errorf("delivered sum for %s = %v, want %v", o, got[o], want[o])
				}
			}
			if n := srv.DatumCount(); n != (outage+1)*3 {
				t.Errorf("delivered %d datums, want %d (one per series per interval)", n, (outage+1)*3)
			}
			if sent := value(exp.health.sent); sent != float64(srv.DatumCount()) {
				t.Errorf("sent counter = %v, server stored %d", sent, srv.DatumCount())
			}
			if q := value(exp.health.queued); q != 0 {
				t.Errorf("queue after recovery = %v", q)
			}
			if r := value(exp.health.retries); r != outage {
				t.Errorf("retries = %v, want %d (one per export with max_attempts 2)", r, outage)
			}
		})
	}
}

func TestBufferOverflowDropsAreCountedExactly(t *testing.T) {
	cfg := testConfig()
	cfg.Dimensions.Default = []string{"outcome"}
	cfg.BufferDatums = 10
	exp, srv := newAPIExporter(t, cfg)
	reg := prometheus.NewRegistry()
	c := sessionsCounter(reg)
	for _, o := range outcomes {
		c.WithLabelValues(o)
	}
	ctx := t.Context()
	if err := exp.Export(ctx, collect(t, reg)); err != nil {
		t.Fatal(err)
	}
	srv.Inject(awstest.Fault{Kind: awstest.FaultServerError})
	const outage = 5 // 15 datums for a buffer of 10
	var produced float64
	for range outage {
		for _, o := range outcomes {
			c.WithLabelValues(o).Inc()
		}
		produced += 3
		_ = exp.Export(ctx, collect(t, reg))
	}
	srv.Clear()
	if err := exp.ForceFlush(ctx); err != nil {
		t.Fatal(err)
	}
	delivered := float64(srv.DatumCount())
	lost := dropped(exp, dropBufferFull)
	if delivered != 10 || lost != produced-10 {
		t.Errorf("delivered %v and dropped %v of %v datums, want 10 and %v", delivered, lost, produced, produced-10)
	}
	var deliveredSum float64
	for _, v := range sumByDim(srv, "voice_sessions_ended_total", "outcome") {
		deliveredSum += v
	}
	if deliveredSum != delivered { // every delta was 1
		t.Errorf("delivered deltas sum to %v, want %v", deliveredSum, delivered)
	}
}

func TestShutdown(t *testing.T) {
	t.Run("flushes the buffer", func(t *testing.T) {
		cfg := testConfig()
		exp, srv := newAPIExporter(t, cfg)
		reg := prometheus.NewRegistry()
		c := sessionsCounter(reg)
		c.WithLabelValues("completed")
		ctx := t.Context()
		_ = exp.Export(ctx, collect(t, reg))
		srv.Inject(awstest.Fault{Kind: awstest.FaultThrottle})
		for range 3 {
			c.WithLabelValues("completed").Add(2)
			_ = exp.Export(ctx, collect(t, reg))
		}
		srv.Clear()
		if err := exp.Shutdown(ctx); err != nil {
			t.Fatalf("Shutdown: %v", err)
		}
		if got := sumByDim(srv, "voice_sessions_ended_total", "")[""]; got != 6 {
			t.Errorf("delivered %v, want 6", got)
		}
		if err := exp.Shutdown(ctx); !errors.Is(err, ErrShutdown) {
			t.Errorf("second Shutdown = %v, want ErrShutdown", err)
		}
		if err := exp.Export(ctx, collect(t, reg)); !errors.Is(err, ErrShutdown) {
			t.Errorf("Export after Shutdown = %v, want ErrShutdown", err)
		}
		if err := exp.ForceFlush(ctx); !errors.Is(err, ErrShutdown) {
			t.Errorf("ForceFlush after Shutdown = %v, want ErrShutdown", err)
		}
	})
	t.Run("hung server: export and shutdown return at their deadline", func(t *testing.T) {
		exp, srv, reg, c := counterExporter(t, "voice_sessions_ended_total", "outcome")
		for _, o := range outcomes {
			c.WithLabelValues(o)
		}
		_ = exp.Export(t.Context(), collect(t, reg))
		srv.Inject(awstest.Fault{Kind: awstest.FaultHang})
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		if err := exp.Export(ctx, collect(t, reg)); !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrNotDelivered) {
			t.Fatalf("Export = %v, want ErrNotDelivered wrapping deadline exceeded", err)
		}
		sctx, scancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer scancel()
		if err := exp.Shutdown(sctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Shutdown = %v, want deadline exceeded", err)
		}
		if got := dropped(exp, dropShutdown); got != 3 {
			t.Errorf("dropped at shutdown = %v, want 3", got)
		}
		if srv.DatumCount() != 0 {
			t.Errorf("hung server stored datums")
		}
	})
}

func TestRejectedBatchIsDroppedAndCounted(t *testing.T) {
	exp, srv := newAPIExporter(t, testConfig())
	ts := time.Unix(1700000000, 0)
	d := types.MetricDatum{MetricName: aws.String("bad"), Values: []float64{1, 2}, Counts: []float64{1}, Timestamp: &ts}
	exp.buf.push([]types.MetricDatum{d, d})
	if err := exp.ForceFlush(t.Context()); err != nil {
		t.Fatalf("ForceFlush = %v; a rejected batch must not block the buffer", err)
	}
	if got := dropped(exp, dropRejected); got != 2 {
		t.Errorf("dropped rejected = %v, want 2", got)
	}
	if srv.Requests("PutMetricData") != 1 {
		t.Errorf("an invalid request was retried: %d requests", srv.Requests("PutMetricData"))
	}
}

// counterExporter returns an API exporter that keeps label as a dimension,
// and a registry with the counter name{label} (no series yet): one datum
// per label value.
func counterExporter(t *testing.T, name, label string) (*exporter, *awstest.CloudWatch, *prometheus.Registry, *prometheus.CounterVec) {
	t.Helper()
	cfg := testConfig()
	cfg.Dimensions.Default = []string{label}
	exp, srv := newAPIExporter(t, cfg)
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: "x"}, []string{label})
	reg.MustRegister(c)
	return exp, srv, reg, c
}

func TestBatching(t *testing.T) {
	exp, srv, reg, c := counterExporter(t, "requests_total", "id")
	for i := range 2500 {
		c.WithLabelValues(fmt.Sprint(i))
	}
	_ = exp.Export(t.Context(), collect(t, reg))
	for i := range 2500 {
		c.WithLabelValues(fmt.Sprint(i)).Inc()
	}
	if err := exp.Export(t.Context(), collect(t, reg)); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, call := range srv.PutMetricDataCalls() {
		sizes = append(sizes, len(call.Datums))
		if !call.Compressed {
			t.Errorf("request of %d datums was not gzip-compressed", len(call.Datums))
		}
	}
	if fmt.Sprint(sizes) != "[1000 1000 500]" {
		t.Errorf("request sizes = %v, want [1000 1000 500]", sizes)
	}
}

func TestHealthCollector(t *testing.T) {
	exp, _ := newAPIExporter(t, testConfig())
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(exp)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, mf := range mfs {
		n += len(mf.GetMetric())
	}
	if n != 1+1+5+3+1 { // queue, sent, dropped×5 reasons, requests×3 results, retries
		t.Errorf("health series = %d, want 11", n)
	}
}

// TestSmallTailWaitsOneExport: past a full request, a last request under
// half full waits for the next export (and goes out first there), so the
// average request stays near 1000 datums; ForceFlush sends it at once and
// nothing is lost or sent twice.
func TestSmallTailWaitsOneExport(t *testing.T) {
	exp, srv, reg, c := counterExporter(t, "requests_total", "id")
	const series = 2047
	for i := range series {
		c.WithLabelValues(fmt.Sprint(i))
	}
	_ = exp.Export(t.Context(), collect(t, reg)) // baseline: no datums
	sizes := func() []int {
		var out []int
		for _, call := range srv.PutMetricDataCalls() {
			out = append(out, len(call.Datums))
		}
		return out
	}
	for round := 1; round <= 2; round++ {
		for i := range series {
			c.WithLabelValues(fmt.Sprint(i)).Inc()
		}
		if err := exp.Export(t.Context(), collect(t, reg)); err != nil {
			t.Fatal(err)
		}
	}
	// Round 1: 1000, 1000, 47 held. Round 2: 47 + 2047 = 2094: 1000, 1000, 94 held.
	if got := fmt.Sprint(sizes()); got != "[1000 1000 1000 1000]" {
		t.Fatalf("request sizes = %v, want [1000 1000 1000 1000]", got)
	}
	if err := exp.ForceFlush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(sizes()); got != "[1000 1000 1000 1000 94]" {
		t.Fatalf("after ForceFlush: %v", got)
	}
	if got := srv.DatumCount(); got != 2*series {
		t.Errorf("datums delivered = %d, want %d (each series' delta of both rounds once)", got, 2*series)
	}
}
