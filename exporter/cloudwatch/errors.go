package cloudwatch

import (
	"errors"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

var (
	// ErrShutdown is returned by Export, ForceFlush and Shutdown after
	// Shutdown was called. It is the sdk/metric sentinel, so callers may test
	// for either.
	ErrShutdown = sdkmetric.ErrExporterShutdown

	// ErrInvalidConfig wraps every configuration validation error.
	ErrInvalidConfig = errors.New("invalid cloudwatch config")

	// ErrNotDelivered wraps the error of an Export or flush that left datums
	// in the buffer; they are retried on the next Export or flush.
	ErrNotDelivered = errors.New("cloudwatch: datums not delivered yet")

	// ErrRejected wraps a PutMetricData error that retrying cannot fix (an
	// invalid request); the batch is dropped and counted.
	ErrRejected = errors.New("cloudwatch: request rejected")
)
