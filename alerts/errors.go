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
	// ErrUsage is returned for command-line usage errors.
	ErrUsage = errors.New("usage error")
)
