package alerts

import "errors"

var (
	// ErrInvalidConfig is returned (wrapped, with the offending field and an
	// actionable hint) when a Config value is out of range.
	ErrInvalidConfig = errors.New("invalid alerts config")
	// ErrInvalidThreshold is returned when a CloudWatch alarm threshold or
	// evaluation setting is out of its allowed range.
	ErrInvalidThreshold = errors.New("invalid alarm threshold")
	// ErrUnknownAlarm is returned when a CloudWatch alarm name is not one of
	// the generated definitions.
	ErrUnknownAlarm = errors.New("unknown alarm")
	// ErrUnknownMetric is returned when an expression references a metric
	// that no package exports.
	ErrUnknownMetric = errors.New("expression references an unknown metric")
	// ErrFilterMismatch is returned when TestMetricFilter shows a metric
	// filter not matching its sample lines (or matching a line it must not).
	ErrFilterMismatch = errors.New("metric filter does not match its samples")
	// ErrPlaceholder is returned when apply would create alarms on a
	// placeholder resource ID (a default that names no real resource).
	ErrPlaceholder = errors.New("placeholder resource ID")
	// ErrNoCredentials is returned when the AWS SDK's credential chain finds
	// no credentials.
	ErrNoCredentials = errors.New("no AWS credentials")
	// ErrNoRegion is returned when no AWS region is configured.
	ErrNoRegion = errors.New("no AWS region")
	// ErrUsage is returned for command-line usage errors.
	ErrUsage = errors.New("usage error")
)
