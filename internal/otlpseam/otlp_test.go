package otlpseam

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configgrpc"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/goleak"

	"github.com/voicewatch/voicewatch/exporter/sidecar"
	"github.com/voicewatch/voicewatch/internal/servetest"
	"github.com/voicewatch/voicewatch/internal/turnserver"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
	"github.com/voicewatch/voicewatch/voice"
	"github.com/voicewatch/voicewatch/voice/mediacoretest"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// collector runs the Collector's OTLP receiver (HTTP only) on a free
// loopback port with consumertest sinks; it returns the base URL.
func collector(t *testing.T) (string, *consumertest.TracesSink, *consumertest.MetricsSink) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	f := otlpreceiver.NewFactory()
	cfg := f.CreateDefaultConfig().(*otlpreceiver.Config)
	cfg.Protocols.GRPC = configoptional.None[configgrpc.ServerConfig]()
	cfg.Protocols.HTTP.GetOrInsertDefault().ServerConfig.NetAddr.Endpoint = addr
	traces, metrics := new(consumertest.TracesSink), new(consumertest.MetricsSink)
	set := receivertest.NewNopSettings(f.Type())
	tr, err := f.CreateTraces(context.Background(), set, cfg, traces)
	if err != nil {
		t.Fatal(err)
	}
	mr, err := f.CreateMetrics(context.Background(), set, cfg, metrics)
	if err != nil {
		t.Fatal(err)
	}
	host := componenttest.NewNopHost()
	if err := tr.Start(context.Background(), host); err != nil {
		t.Fatal(err)
	}
	if err := mr.Start(context.Background(), host); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = tr.Shutdown(context.Background())
		_ = mr.Shutdown(context.Background())
	})
	return "http://" + addr, traces, metrics
}

// mediaCore serves the media core on loopback until the returned stop is
// called (which ends every session and flushes traces).
func mediaCore(t *testing.T, edit func(*voice.Config)) (base string, stop func()) {
	t.Helper()
	cfg := mediacoretest.LoopbackConfig(t)
	cfg.Audio.EndOfSpeech = 300 * time.Millisecond
	if edit != nil {
		edit(&cfg)
	}
	s, err := voice.New(cfg, voice.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	srv := servetest.Start(t, func(ctx context.Context, ln net.Listener) error { return s.Serve(ctx, ln, nil) })
	stop = func() { srv.Check(t, "Serve") }
	t.Cleanup(stop)
	return srv.URL(), stop
}

// call places one call with two echoed utterances and hangs up.
func call(t *testing.T, base string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := voicetest.NewCaller(t, base, voicetest.CallerOptions{})
	if _, err := c.Call(ctx); err != nil {
		t.Fatal(err)
	}
	voicetest.WaitFor(t, "connected", c.Connected(), 10*time.Second)
	for i := range 2 {
		before := c.Received()
		if _, err := c.Speak(ctx, 400*time.Millisecond, 400*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		voicetest.Eventually(t, 5*time.Second, fmt.Sprintf("echo %d", i+1), func() bool { return c.Received() >= before+20 })
	}
	if _, err := c.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	_ = c.PC.Close()
}

// TestSessionTracesInTheCollector: with otlp.traces_endpoint set, each call
// is one trace, decoded by the Collector's receiver, whose spans are the
// session, the WHIP offer, ICE gathering, ICE connectivity, DTLS, and each
// conversation exchange with its five stages, all under the session span.
func TestSessionTracesInTheCollector(t *testing.T) {
	url, traces, _ := collector(t)
	base, stop := mediaCore(t, func(c *voice.Config) { c.OTLP.TracesEndpoint = url + "/v1/traces" })
	call(t, base)
	call(t, base)
	stop() // ends the server: flushes the batch span processor

	type span struct{ name, id, parent string }
	byTrace := map[string][]span{}
	services := map[string]bool{}
	for _, td := range traces.AllTraces() {
		for _, rs := range td.ResourceSpans().All() {
			if v, ok := rs.Resource().Attributes().Get("service.name"); ok {
				services[v.Str()] = true
			}
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					byTrace[sp.TraceID().String()] = append(byTrace[sp.TraceID().String()],
						span{sp.Name(), sp.SpanID().String(), sp.ParentSpanID().String()})
				}
			}
		}
	}
	if len(byTrace) != 2 {
		t.Fatalf("%d traces for 2 calls, want one per call", len(byTrace))
	}
	if !services["voicewatch-voice"] {
		t.Errorf("service.name %v, want voicewatch-voice", services)
	}
	for id, spans := range byTrace {
		count := map[string]int{}
		ids := map[string]string{} // span id → name
		for _, s := range spans {
			count[s.name]++
			ids[s.id] = s.name
		}
		for _, name := range []string{voice.SpanSession, voice.SpanSignaling, voice.SpanICEGathering, voice.SpanICEConnect, voice.SpanDTLS} {
			if count[name] != 1 {
				t.Errorf("trace %s: %d %q spans, want 1 (spans %v)", id, count[name], name, count)
			}
		}
		if count[voice.SpanExchange] != 2 {
			t.Errorf("trace %s: %d exchanges, want 2", id, count[voice.SpanExchange])
		}
		for _, st := range voicemetrics.Stages {
			if count["stage."+st] != count[voice.SpanExchange] {
				t.Errorf("trace %s: %d stage.%s spans for %d exchanges", id, count["stage."+st], st, count[voice.SpanExchange])
			}
		}
		// Every span but the root hangs off a span of the same trace, and
		// the chain ends at the session span.
		for _, s := range spans {
			name, at := s.name, s
			for hops := 0; at.parent != pcommon.NewSpanIDEmpty().String() && hops < 5; hops++ {
				parent, ok := ids[at.parent]
				if !ok {
					t.Errorf("trace %s: span %s has a parent outside the trace", id, name)
					break
				}
				for _, p := range spans {
					if p.id == at.parent {
						at = p
					}
				}
				name = parent
			}
			if at.name != voice.SpanSession {
				t.Errorf("trace %s: span %s does not descend from %s", id, s.name, voice.SpanSession)
			}
		}
	}
}

// TestSidecarMetricsInTheCollector: the sidecar's OTLP push, decoded by the
// Collector's receiver, carries every family the sidecar serves on /metrics
// with its type (counter → monotonic cumulative sum, gauge → gauge,
// histogram → cumulative histogram), unit and label names intact — the
// media core's new quality families and the probes' RTT, jitter and loss
// included.
func TestSidecarMetricsInTheCollector(t *testing.T) {
	url, _, metrics := collector(t)
	base, _ := mediaCore(t, nil)
	call(t, base)
	ts, err := turnserver.Start(turnserver.Config{Listen: "127.0.0.1:0", Users: map[string]string{"otlp": "otlp-pass"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ts.Close() })
	yaml := fmt.Sprintf(`scrape:
  interval: 1s
  targets: [{name: voice, url: %q}]
probes:
  interval: 1s
  suite:
    probes:
      - {name: turn, kind: turn, target: "turn:%s?transport=udp", turn: {username: otlp, password: otlp-pass}}
otlp: {endpoint: %q}
export_interval: 1s
`, base+"/metrics", ts.UDPAddr(), url+"/v1/metrics")
	cfg, err := sidecar.ParseConfig(strings.NewReader(yaml), sidecar.LoadOptions{Getenv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := sidecar.New(cfg, sidecar.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	srv := servetest.Start(t, sc.Run)
	defer func() { _ = srv.Stop() }()

	// Wait for an export that holds the families this issue adds.
	want := []string{voicemetrics.MetricSessionMOS, voicemetrics.MetricRTT, voicemetrics.MetricRTPJitter, voicemetrics.MetricRTPPacketsLost,
		voicemetrics.MetricTurnStage, voicemetrics.MetricInterruptions, probemetrics.MetricProbeRTT, probemetrics.MetricProbeJitter, probemetrics.MetricProbePacketLoss}
	var got map[string]pmetric.Metric
	deadline := time.Now().Add(30 * time.Second)
	for {
		got = latest(metrics.AllMetrics())
		missing := ""
		for _, w := range want {
			if _, ok := got[w]; !ok {
				missing = w
			}
		}
		if missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no export with %s within 30s (%d families received)", missing, len(got))
		}
		time.Sleep(200 * time.Millisecond)
	}

	// The same families as the sidecar's /metrics serves right now.
	resp, err := http.Get(srv.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for name, f := range families {
		m, ok := got[name]
		if !ok {
			continue // appeared after the export (a new series); checked below for the ones that matter
		}
		checked++
		if m.Unit() != f.GetUnit() {
			t.Errorf("%s: unit %q, want %q", name, m.Unit(), f.GetUnit())
		}
		switch f.GetType() {
		case dto.MetricType_COUNTER:
			if m.Type() != pmetric.MetricTypeSum || !m.Sum().IsMonotonic() || m.Sum().AggregationTemporality() != pmetric.AggregationTemporalityCumulative {
				t.Errorf("%s: counter arrived as %s (monotonic %v)", name, m.Type(), m.Type() == pmetric.MetricTypeSum && m.Sum().IsMonotonic())
			}
			sameLabels(t, name, f, m.Sum().DataPoints().At(0).Attributes())
		case dto.MetricType_GAUGE:
			if m.Type() != pmetric.MetricTypeGauge {
				t.Errorf("%s: gauge arrived as %s", name, m.Type())
				continue
			}
			sameLabels(t, name, f, m.Gauge().DataPoints().At(0).Attributes())
		case dto.MetricType_HISTOGRAM:
			if m.Type() != pmetric.MetricTypeHistogram || m.Histogram().AggregationTemporality() != pmetric.AggregationTemporalityCumulative {
				t.Errorf("%s: histogram arrived as %s", name, m.Type())
				continue
			}
			dp := m.Histogram().DataPoints().At(0)
			want := 0 // finite upper bounds: OTLP's explicit bounds leave out +Inf
			for _, b := range f.Metric[0].GetHistogram().GetBucket() {
				if !math.IsInf(b.GetUpperBound(), 1) {
					want++
				}
			}
			if dp.ExplicitBounds().Len() != want {
				t.Errorf("%s: %d bucket bounds, want %d", name, dp.ExplicitBounds().Len(), want)
			}
			sameLabels(t, name, f, dp.Attributes())
		}
	}
	for _, w := range want {
		if _, ok := families[w]; !ok {
			t.Errorf("%s is in the OTLP export but not on the sidecar's /metrics", w)
		}
	}
	t.Logf("%d families compared", checked)
	if checked < 40 {
		t.Errorf("only %d families compared", checked)
	}
	// The probe's path quality arrives with the probe's labels.
	rtt := got[probemetrics.MetricProbeRTT].Gauge().DataPoints().At(0)
	if k, _ := rtt.Attributes().Get(probemetrics.LabelKind); k.Str() != probemetrics.KindTURN {
		t.Errorf("probe_rtt_seconds kind %q, want turn", k.Str())
	}
}

// latest indexes the metrics of all exports by name, later exports
// replacing earlier ones.
func latest(all []pmetric.Metrics) map[string]pmetric.Metric {
	out := map[string]pmetric.Metric{}
	for _, md := range all {
		for _, rm := range md.ResourceMetrics().All() {
			for _, sm := range rm.ScopeMetrics().All() {
				for _, m := range sm.Metrics().All() {
					out[m.Name()] = m
				}
			}
		}
	}
	return out
}

// sameLabels checks that an OTLP point carries the label names of the
// Prometheus family's first series (the bridge turns labels into
// attributes one to one).
func sameLabels(t *testing.T, name string, f *dto.MetricFamily, attrs pcommon.Map) {
	t.Helper()
	want := map[string]bool{}
	for _, l := range f.Metric[0].GetLabel() {
		want[l.GetName()] = true
	}
	got := map[string]bool{}
	for k := range attrs.All() {
		got[k] = true
	}
	if fmt.Sprint(want) != fmt.Sprint(got) {
		t.Errorf("%s: attributes %v, want the labels %v", name, got, want)
	}
}
