package sidecar

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/voicewatch/voicewatch/exporter/cloudwatch/catalog"
	"github.com/voicewatch/voicewatch/internal/awstest"
	"github.com/voicewatch/voicewatch/internal/turnserver"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// task is one ECS task: a media core's metrics (the real names) and its
// sidecar.
type task struct {
	connections *prometheus.CounterVec
	active      prometheus.Gauge
	sc          *running
}

func newTask(t *testing.T, cwURL, stunTarget string) *task {
	t.Helper()
	reg := prometheus.NewRegistry()
	k := &task{
		connections: prometheus.NewCounterVec(prometheus.CounterOpts{Name: voicemetrics.MetricConnections, Help: "x"}, []string{voicemetrics.LabelResult}),
		active:      prometheus.NewGauge(prometheus.GaugeOpts{Name: voicemetrics.MetricSessionsActive, Help: "x"}),
	}
	reg.MustRegister(k.connections, k.active)
	for _, r := range []string{voicemetrics.ConnectionConnected, voicemetrics.ConnectionFailed, voicemetrics.ConnectionTimeout} {
		k.connections.WithLabelValues(r)
	}
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(srv.Close)
	k.sc = startSidecar(t, fmt.Sprintf(`
scrape:
  interval: 1h
  targets: [{name: voice, url: %q, labels: {job: voice}}]
probes:
  interval: 1h
  suite:
    probes:
      - {name: stun, kind: stun, target: %q, timeout: 500ms, stun: {transports: [udp]}}
cloudwatch:
  mode: api
  endpoint: %q
  static_dimensions: {Service: voicewatch, Environment: prod}
  retry: {max_attempts: 2, initial_backoff: 1ms, max_backoff: 2ms}
export_interval: 1h
`, srv.URL, stunTarget, cwURL))
	return k
}

// TestTwoSidecarsStatistics: two ECS tasks, each with a sidecar, publish
// the same metrics with the same dimensions, and CloudWatch aggregates the
// datapoints of both. The statistic the catalogue names for each metric
// (the one the alarms and widgets use) gives the value of the whole
// service; the obvious other statistics do not.
func TestTwoSidecarsStatistics(t *testing.T) {
	setAWSEnv(t)
	cw := awstest.NewCloudWatch(t)
	ts, err := turnserver.Start(turnserver.Config{Listen: "127.0.0.1:0", NoTCP: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ts.Close()
	a := newTask(t, cw.URL, "stun:"+ts.UDPAddr().String())
	b := newTask(t, cw.URL, "stun:127.0.0.1:9") // nothing answers: this task's probe fails
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cycle := func(k *task) {
		t.Helper()
		k.sc.gen.Load().scraper.ScrapeAll(ctx)
		if err := k.sc.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Baselines, and both probes' first results (they run at start-up).
	for _, k := range []*task{a, b} {
		for probeSeen := false; !probeSeen; {
			cycle(k)
			probeSeen = len(cw.Datums()) > 0 && hasProbe(cw.Datums(), k == a)
			if ctx.Err() != nil {
				t.Fatal("no probe result published")
			}
		}
	}
	before := len(cw.Datums())
	a.connections.WithLabelValues(voicemetrics.ConnectionConnected).Add(10)
	a.active.Set(3)
	b.connections.WithLabelValues(voicemetrics.ConnectionConnected).Add(5)
	b.connections.WithLabelValues(voicemetrics.ConnectionTimeout).Add(5)
	b.active.Set(4)
	cycle(a)
	cycle(b)

	// One export of each task: the datums those two exports published, in
	// one period spanning their timestamps (the period of the catalogue's
	// statistic, the export interval, as CloudWatch sees it). The window
	// comes from the datums' own timestamps, which the wire carries at
	// millisecond precision, not from the test's clock.
	data := cw.Datums()[before:]
	start, end := aws.ToTime(data[0].Timestamp), aws.ToTime(data[0].Timestamp)
	for _, d := range data {
		start, end = minTime(start, aws.ToTime(d.Timestamp)), maxTime(end, aws.ToTime(d.Timestamp))
	}
	dims := func(kv ...string) []types.Dimension {
		ds := []types.Dimension{{Name: aws.String(catalog.DimService), Value: aws.String("voicewatch")}, {Name: aws.String(catalog.DimEnvironment), Value: aws.String("prod")}}
		for i := 0; i < len(kv); i += 2 {
			ds = append(ds, types.Dimension{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		return ds
	}
	stat := func(name string, d []types.Dimension, s string) float64 {
		t.Helper()
		v := awstest.Statistic(data, "VoiceWatch", name, d, s, end.Sub(start)+time.Nanosecond, start, end.Add(time.Nanosecond))
		if len(v) != 1 || !v[0].OK {
			t.Fatalf("%s %s: no datapoint in the window", name, s)
		}
		return v[0].Value
	}
	for _, tc := range []struct {
		metric string
		dims   []types.Dimension
		truth  float64 // the value for the whole service
		wrong  string  // a statistic that would mislead
	}{
		{voicemetrics.MetricConnections, dims(voicemetrics.LabelResult, voicemetrics.ConnectionConnected), 15, "Maximum"},
		{voicemetrics.MetricConnections, dims(voicemetrics.LabelResult, voicemetrics.ConnectionTimeout), 5, "Average"},
		{voicemetrics.MetricSessionsActive, dims(), 7, "Average"},
		{probemetrics.MetricProbeSuccess, dims(probemetrics.LabelKind, probemetrics.KindSTUN), 0, "Sum"}, // one task cannot reach STUN
		{probemetrics.MetricProbeSuccess, dims(), 0, "Average"},
	} {
		m, _ := catalog.Lookup(tc.metric)
		if got := stat(tc.metric, tc.dims, m.Statistic); got != tc.truth {
			t.Errorf("%s %v with the catalogue's %s = %v, want %v", tc.metric, tc.dims, m.Statistic, got, tc.truth)
		}
		if got := stat(tc.metric, tc.dims, tc.wrong); got == tc.truth {
			t.Errorf("%s with %s also gives %v: the test does not tell the statistics apart", tc.metric, tc.wrong, got)
		}
	}
}

// hasProbe reports whether a probe_success datum with the value the task's
// probe gives (1 for task a, 0 for b) was published.
func hasProbe(ds []awstest.Datum, ok bool) bool {
	want := 0.0
	if ok {
		want = 1
	}
	for _, d := range ds {
		if aws.ToString(d.MetricName) == probemetrics.MetricProbeSuccess && len(d.Dimensions) == 2 && aws.ToFloat64(d.Value) == want {
			return true
		}
	}
	return false
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
