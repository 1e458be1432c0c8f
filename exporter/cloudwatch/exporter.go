package cloudwatch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/prometheus/client_golang/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/voicewatch/voicewatch/internal/funcopt"
)

// Exporter is an sdk/metric exporter for CloudWatch that also collects its
// own health metrics for Prometheus.
type Exporter interface {
	sdkmetric.Exporter
	prometheus.Collector
}

type exporter struct {
	cfg      Config
	log      *slog.Logger
	now      func() time.Time
	client   PutMetricDataAPI
	callOpts []func(*cloudwatch.Options)
	health   *health

	convMu    sync.Mutex // serialises conversions (delta state)
	conv      *converter
	datumsBuf []types.MetricDatum

	buf     *buffer
	sendSem chan struct{}       // one flush at a time
	batch   []types.MetricDatum // request scratch, used under sendSem

	emf      *emfWriter // mode emf
	emfClose io.Closer

	closed atomic.Bool
}

var (
	_ sdkmetric.Exporter   = (*exporter)(nil)
	_ prometheus.Collector = (*exporter)(nil)
)

// New returns a CloudWatch exporter. cfg is validated after defaults are
// applied to its zero fields. In mode "api" without WithClient it builds an
// SDK client from the default credential chain; in mode "emf" it opens
// cfg.EMFPath for appending unless WithWriter is given.
func New(cfg Config, opts ...Option) (Exporter, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := funcopt.Apply(options{now: time.Now}, opts)
	o.logger = funcopt.Logger(o.logger)
	e := &exporter{
		cfg:     cfg,
		log:     o.logger.With("component", "cloudwatch"),
		now:     o.now,
		client:  o.client,
		conv:    newConverter(&cfg),
		buf:     newBuffer(cfg.BufferDatums),
		sendSem: make(chan struct{}, 1),
	}
	e.conv.cfg = &e.cfg
	e.health = newHealth(func() float64 { return float64(e.buf.len()) })
	if cfg.DisableCompression {
		e.callOpts = append(e.callOpts, func(o *cloudwatch.Options) { o.DisableRequestCompression = true })
	}
	switch cfg.Mode {
	case ModeEMF:
		w := o.writer
		if w == nil {
			if cfg.EMFPath == "" || cfg.EMFPath == "-" {
				w = os.Stdout
			} else {
				f, err := os.OpenFile(cfg.EMFPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
				if err != nil {
					return nil, fmt.Errorf("cloudwatch: open emf_path: %w", err)
				}
				w, e.emfClose = f, f
			}
		}
		e.emf = newEMFWriter(w, &e.cfg)
	case ModeAPI:
		if e.client == nil {
			c, err := newClient(cfg)
			if err != nil {
				return nil, err
			}
			e.client = c
		}
	}
	return e, nil
}

// newClient builds a CloudWatch client from the default credential chain,
// with SDK retries off (the exporter retries and counts retries itself).
func newClient(cfg Config) (*cloudwatch.Client, error) {
	loadOpts := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }),
	}
	if cfg.Region != "" {
		loadOpts = append(loadOpts, awsconfig.WithRegion(cfg.Region))
	}
	// Loading reads environment and shared config files only.
	awsCfg, err := awsconfig.LoadDefaultConfig(context.Background(), loadOpts...)
	if err != nil {
		return nil, fmt.Errorf("cloudwatch: load AWS config: %w", err)
	}
	return cloudwatch.NewFromConfig(awsCfg, func(o *cloudwatch.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	}), nil
}

// Temporality returns cumulative for every instrument kind: the bridge
// delivers cumulative data, and the exporter computes deltas itself.
func (e *exporter) Temporality(sdkmetric.InstrumentKind) metricdata.Temporality {
	return metricdata.CumulativeTemporality
}

// Aggregation returns the SDK's default aggregation.
func (e *exporter) Aggregation(k sdkmetric.InstrumentKind) sdkmetric.Aggregation {
	return sdkmetric.DefaultAggregationSelector(k)
}

// Export converts one collection to datums and, in mode "api", buffers and
// sends them (retrying within ctx); in mode "emf" it writes them as lines.
// An error means datums stay buffered (ErrNotDelivered) or were dropped.
func (e *exporter) Export(ctx context.Context, rm *metricdata.ResourceMetrics) error {
	if e.closed.Load() {
		return ErrShutdown
	}
	e.convMu.Lock()
	recs := e.conv.convert(rm, e.now())
	if n := e.conv.skipped; n > 0 {
		e.health.dropped.WithLabelValues(dropInvalid).Add(float64(n))
	}
	if n := e.conv.noAgg; n > 0 {
		e.health.dropped.WithLabelValues(dropNoAggregation).Add(float64(n))
		e.log.Warn("gauge series collapsed onto one dimension set without an aggregation; not published (set cloudwatch.aggregations)", "records", n)
	}
	if e.emf != nil {
		n, err := e.emf.write(recs)
		e.convMu.Unlock()
		e.health.sent.Add(float64(n))
		if err != nil {
			return fmt.Errorf("cloudwatch: write EMF: %w", err)
		}
		return nil
	}
	e.datumsBuf = e.datums(recs, e.datumsBuf[:0])
	refused := e.buf.push(e.datumsBuf)
	clear(e.datumsBuf)
	e.convMu.Unlock()
	if refused > 0 {
		e.health.dropped.WithLabelValues(dropBufferFull).Add(float64(refused))
		e.log.Warn("CloudWatch buffer full; datums dropped", "dropped", refused, "buffer_datums", e.cfg.BufferDatums)
	}
	return e.flush(ctx, true)
}

// ForceFlush sends everything buffered, within ctx.
func (e *exporter) ForceFlush(ctx context.Context) error {
	if e.closed.Load() {
		return ErrShutdown
	}
	if e.emf != nil {
		return nil
	}
	return e.flush(ctx, false)
}

// Shutdown flushes the buffer within ctx, then drops (and counts) whatever
// could not be sent and closes the EMF file. Later calls return ErrShutdown.
func (e *exporter) Shutdown(ctx context.Context) error {
	if !e.closed.CompareAndSwap(false, true) {
		return ErrShutdown
	}
	var err error
	if e.emf == nil {
		err = e.flush(ctx, false)
		if lost := e.buf.drain(); lost > 0 {
			e.health.dropped.WithLabelValues(dropShutdown).Add(float64(lost))
			e.log.Error("CloudWatch datums lost at shutdown", "dropped", lost, "err", err)
		}
	}
	if e.emfClose != nil {
		err = errors.Join(err, e.emfClose.Close())
	}
	return err
}
