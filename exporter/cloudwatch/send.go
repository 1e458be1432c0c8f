package cloudwatch

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
)

// PutMetricDataAPI is the part of the CloudWatch client the exporter uses.
type PutMetricDataAPI interface {
	PutMetricData(ctx context.Context, in *cloudwatch.PutMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error)
}

var _ PutMetricDataAPI = (*cloudwatch.Client)(nil)

// throttleCodes are the error codes CloudWatch uses for rate limiting.
var throttleCodes = map[string]bool{
	"Throttling": true, "ThrottlingException": true, "ThrottledException": true,
	"RequestThrottled": true, "RequestLimitExceeded": true, "TooManyRequestsException": true,
	"LimitExceededException": true,
}

// classify returns the request result label and whether a retry can help.
func classify(err error) (result string, retryable bool) {
	var ae smithy.APIError
	if errors.As(err, &ae) && throttleCodes[ae.ErrorCode()] {
		return resultThrottled, true
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		st := re.HTTPStatusCode()
		if st == 429 {
			return resultThrottled, true
		}
		return resultError, st >= 500
	}
	// No HTTP response: connection refused or reset, timeouts. Retry.
	return resultError, true
}

// flush sends buffered datums oldest first until the buffer is empty, a
// request fails after its retries, or ctx ends. Only one flush runs at a
// time; a caller waits for its turn as long as ctx allows.
//
// With holdTail (periodic exports), a last request that would be less than
// half full is kept for the next export once this flush has sent another
// request: at 10k series the sidecar's own ~50 datums would otherwise cost an
// 11th request every interval. Held datums are the newest and go out first
// next time, so none waits more than one export interval; at low volume
// (everything fits one request) nothing is held. ForceFlush and Shutdown send all.
func (e *exporter) flush(ctx context.Context, holdTail bool) error {
	select {
	case e.sendSem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("%w: %d datums buffered, waiting for a running flush: %w", ErrNotDelivered, e.buf.len(), context.Cause(ctx))
	}
	defer func() { <-e.sendSem }()
	sent := false // a request of this flush went out
	for {
		e.batch = e.buf.peek(e.batch, e.cfg.MaxDatumsPerRequest, apiMaxRequestBytes)
		n := len(e.batch)
		if n == 0 {
			return nil
		}
		if holdTail && sent && n < e.cfg.MaxDatumsPerRequest/2 {
			e.buf.unpeek()
			return nil
		}
		err := e.put(ctx, e.batch)
		clear(e.batch) // drop references for the GC
		switch {
		case err == nil:
			e.buf.pop(n)
			e.health.sent.Add(float64(n))
			sent = true
		case errors.Is(err, ErrRejected):
			e.buf.pop(n)
			e.health.dropped.WithLabelValues(dropRejected).Add(float64(n))
			e.log.Error("CloudWatch rejected a PutMetricData request; its datums are dropped", "datums", n, "err", err, "fix", fixHint(err, e.cfg.Namespace))
		case e.closed.Load():
			// Shutdown has given up on the buffer while this request was
			// in flight; nobody will retry these datums.
			e.buf.pop(n)
			e.health.dropped.WithLabelValues(dropShutdown).Add(float64(n))
			return fmt.Errorf("%w: %d datums dropped at shutdown: %w", ErrNotDelivered, n, err)
		default:
			e.buf.unpeek()
			return fmt.Errorf("%w: %d datums buffered: %w", ErrNotDelivered, e.buf.len(), err)
		}
	}
}

// put sends one request, retrying throttling and server errors with
// exponential backoff and jitter, as long as ctx allows.
func (e *exporter) put(ctx context.Context, batch []types.MetricDatum) error {
	in := &cloudwatch.PutMetricDataInput{Namespace: &e.cfg.Namespace, MetricData: batch}
	for attempt := 1; ; attempt++ {
		_, err := e.client.PutMetricData(ctx, in, e.callOpts...)
		if err == nil {
			e.health.requests.WithLabelValues(resultOK).Inc()
			return nil
		}
		result, retryable := classify(err)
		e.health.requests.WithLabelValues(result).Inc()
		if ctx.Err() != nil {
			return fmt.Errorf("put metric data: %w", context.Cause(ctx))
		}
		if !retryable {
			return fmt.Errorf("%w: %w", ErrRejected, err)
		}
		if attempt >= e.cfg.Retry.MaxAttempts {
			return fmt.Errorf("put metric data: %d attempts: %w", attempt, err)
		}
		e.health.retries.Inc()
		e.log.Debug("PutMetricData failed, retrying", "attempt", attempt, "result", result, "err", err)
		if err := sleep(ctx, e.backoff(attempt)); err != nil {
			return fmt.Errorf("put metric data: backoff: %w", err)
		}
	}
}

// backoff is the wait after the given failed attempt: exponential from
// InitialBackoff, capped at MaxBackoff, with "equal jitter" (uniform in
// [d/2, d]) so clients throttled together do not retry together.
func (e *exporter) backoff(attempt int) time.Duration {
	d := e.cfg.Retry.InitialBackoff << min(attempt-1, 30)
	if d > e.cfg.Retry.MaxBackoff || d <= 0 {
		d = e.cfg.Retry.MaxBackoff
	}
	return d/2 + rand.N(d/2+1)
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// fixHint says how to fix a rejected request, when the error says it.
func fixHint(err error, namespace string) string {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return ""
	}
	switch ae.ErrorCode() {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation":
		return "the sidecar's IAM role needs cloudwatch:PutMetricData with the condition cloudwatch:namespace = " + namespace + " (deploy/ecs/iam-policy.json)"
	case "InvalidClientTokenId", "UnrecognizedClientException", "ExpiredToken", "SignatureDoesNotMatch":
		return "the AWS credentials are not valid: check the SDK's credential chain (task role, AWS_PROFILE, AWS_ACCESS_KEY_ID)"
	}
	return ""
}
