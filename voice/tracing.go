package voice

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// OTLPConfig configures OpenTelemetry export from the media core.
type OTLPConfig struct {
	// TracesEndpoint is the OTLP/HTTP traces URL, e.g.
	// http://collector:4318/v1/traces. When set, every session is one
	// trace: spans for signalling, ICE gathering, ICE connectivity, DTLS,
	// each conversation exchange and each of its stages. Default "": no
	// tracing, and no cost.
	TracesEndpoint string `yaml:"traces_endpoint"`
}

func (c OTLPConfig) validate() error {
	if c.TracesEndpoint == "" {
		return nil
	}
	u, err := url.Parse(c.TracesEndpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("otlp.traces_endpoint %q: want an http(s) URL like http://collector:4318/v1/traces", c.TracesEndpoint)
	}
	return nil
}

// Span names of a session's trace.
const (
	SpanSession      = "voice.session"
	SpanSignaling    = "whip.offer"
	SpanICEGathering = "ice.gathering"
	SpanICEConnect   = "ice.connect"
	SpanDTLS         = "dtls.handshake"
	SpanExchange     = "conversation.exchange"
	spanStagePrefix  = "stage."
)

// tracing owns the tracer provider; nil when tracing is off.
type tracing struct {
	tp     *sdktrace.TracerProvider
	tracer trace.Tracer
	once   sync.Once
}

// newTracing starts the OTLP/HTTP exporter for cfg, or returns nil when
// no endpoint is configured.
func newTracing(cfg OTLPConfig) (*tracing, error) {
	if cfg.TracesEndpoint == "" {
		return nil, nil
	}
	exp, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(cfg.TracesEndpoint))
	if err != nil {
		return nil, fmt.Errorf("otlp traces exporter: %w", err)
	}
	res := resource.NewSchemaless(attribute.String("service.name", "voicewatch-voice"))
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	return &tracing{tp: tp, tracer: tp.Tracer("github.com/voicewatch/voicewatch/voice")}, nil
}

// shutdown flushes the spans of ended sessions; later calls do nothing.
func (t *tracing) shutdown(ctx context.Context) {
	if t == nil {
		return
	}
	t.once.Do(func() { _ = t.tp.Shutdown(ctx) })
}

// sessionTrace is one session's trace. Every method is a no-op on nil
// (tracing off).
type sessionTrace struct {
	tracer trace.Tracer
	ctx    context.Context // carries the root span
	root   trace.Span

	mu        sync.Mutex
	answered  time.Time // the answer was sent: ICE connectivity starts
	dtlsStart time.Time
	connected bool
}

// startTrace opens the session's root span at its start time.
func (t *tracing) startTrace(id string, started time.Time, codec Codec) *sessionTrace {
	if t == nil {
		return nil
	}
	ctx, root := t.tracer.Start(context.Background(), SpanSession, trace.WithTimestamp(started), trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("session.id", id), attribute.String("rtp.codec", string(codec))))
	return &sessionTrace{tracer: t.tracer, ctx: ctx, root: root}
}

// span records a finished child span from start to end.
func (st *sessionTrace) span(ctx context.Context, name string, start, end time.Time, attrs ...attribute.KeyValue) context.Context {
	ctx, sp := st.tracer.Start(ctx, name, trace.WithTimestamp(start), trace.WithAttributes(attrs...))
	sp.End(trace.WithTimestamp(end))
	return ctx
}

// signaled records the WHIP offer → answer span and the gathering inside it.
func (st *sessionTrace) signaled(started, gatherStart, gatherEnd, answered time.Time, complete string, candidates int) {
	if st == nil {
		return
	}
	st.mu.Lock()
	first := st.answered.IsZero()
	if first {
		st.answered = answered
	}
	st.mu.Unlock()
	if !first {
		return // an ICE restart's answer: the trace keeps the first call setup
	}
	ctx := st.span(st.ctx, SpanSignaling, started, answered)
	st.span(ctx, SpanICEGathering, gatherStart, gatherEnd,
		attribute.String("ice.gathering.complete", complete), attribute.Int("ice.candidates", candidates))
}

// dtlsState records ICE connectivity (answer → DTLS starts) and the DTLS
// handshake (DTLS starts → connected).
func (st *sessionTrace) dtlsState(connecting bool, now time.Time) {
	if st == nil {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if connecting {
		if st.dtlsStart.IsZero() && !st.answered.IsZero() {
			st.dtlsStart = now
			st.span(st.ctx, SpanICEConnect, st.answered, now)
		}
		return
	}
	if !st.connected && !st.dtlsStart.IsZero() {
		st.connected = true
		st.span(st.ctx, SpanDTLS, st.dtlsStart, now)
	}
}

// exchange records one conversation exchange and its stages.
func (st *sessionTrace) exchange(x *exchange) {
	if st == nil {
		return
	}
	ctx := st.span(st.ctx, SpanExchange, x.spoke, x.firstPacket, attribute.Int("exchange.index", x.index),
		attribute.Float64("response_latency_seconds", x.firstPacket.Sub(x.spoke).Seconds()))
	at := x.spoke
	for i, d := range x.stages() {
		st.span(ctx, spanStagePrefix+stageNames[i], at, at.Add(d))
		at = at.Add(d)
	}
}

// end closes the root span with the session's outcome and quality.
func (st *sessionTrace) end(at time.Time, outcome, reason string, q qualitySummary) {
	if st == nil {
		return
	}
	attrs := []attribute.KeyValue{attribute.String(voicemetrics.LabelOutcome, outcome), attribute.String("reason", reason)}
	if q.ok {
		attrs = append(attrs, attribute.Float64("mos", q.mos), attribute.Float64("packet_loss_in", q.lossIn),
			attribute.Float64("packet_loss_out", q.lossOut), attribute.Float64("rtt_seconds", q.rtt.Seconds()))
	}
	st.root.SetAttributes(attrs...)
	st.root.End(trace.WithTimestamp(at))
}
