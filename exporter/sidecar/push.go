package sidecar

import (
	"context"
	"fmt"

	otelprom "go.opentelemetry.io/contrib/bridges/prometheus"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/voicewatch/voicewatch/exporter/cloudwatch"
)

// newPush builds the push pipeline: one MeterProvider whose readers pull
// the cardinality-limited hub through the Prometheus bridge producer. It returns nil
// when no sink is configured. The OTel Prometheus exporter is never used:
// it drops bridged metrics, /metrics serves the hub directly.
func (s *Sidecar) newPush(ctx context.Context) (*sdkmetric.MeterProvider, error) {
	cfg := s.cfg
	var readers []sdkmetric.Option
	producer := func() sdkmetric.ReaderOption {
		return sdkmetric.WithProducer(otelprom.NewMetricProducer(otelprom.WithGatherer(s.hub)))
	}
	if cfg.CloudWatch != nil {
		exp, err := cloudwatch.New(*cfg.CloudWatch, append([]cloudwatch.Option{cloudwatch.WithLogger(s.base)}, s.cwOpts...)...)
		if err != nil {
			return nil, fmt.Errorf("sidecar: cloudwatch: %w", err)
		}
		if err := s.own.Register(exp); err != nil {
			return nil, fmt.Errorf("sidecar: register cloudwatch health: %w", err)
		}
		s.cw = exp
		readers = append(readers, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp,
			sdkmetric.WithInterval(cfg.ExportInterval), producer())))
	}
	if cfg.OTLP != nil {
		opts := []otlpmetrichttp.Option{
			otlpmetrichttp.WithEndpointURL(cfg.OTLP.Endpoint),
			otlpmetrichttp.WithTimeout(cfg.OTLP.Timeout),
		}
		if len(cfg.OTLP.Headers) > 0 {
			opts = append(opts, otlpmetrichttp.WithHeaders(cfg.OTLP.Headers))
		}
		exp, err := otlpmetrichttp.New(ctx, opts...)
		if err != nil {
			return nil, fmt.Errorf("sidecar: otlp: %w", err)
		}
		readers = append(readers, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp,
			sdkmetric.WithInterval(cfg.ExportInterval), producer())))
	}
	if len(readers) == 0 {
		return nil, nil
	}
	return sdkmetric.NewMeterProvider(readers...), nil
}
