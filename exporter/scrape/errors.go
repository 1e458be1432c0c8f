package scrape

import "errors"

var (
	// ErrInvalidConfig wraps every configuration validation error.
	ErrInvalidConfig = errors.New("invalid scrape config")
	// ErrBodyTooLarge is returned when a target's body exceeds its limit.
	ErrBodyTooLarge = errors.New("scrape: body exceeds max_body_bytes")
	// ErrHTTPStatus is returned for a non-2xx answer.
	ErrHTTPStatus = errors.New("scrape: unexpected HTTP status")
	// ErrParse wraps a body that is not valid Prometheus text format.
	ErrParse = errors.New("scrape: malformed exposition")
)

// Error reasons (label reason of voicewatch_scrape_errors_total): a
// bounded set.
const (
	ReasonTimeout     = "timeout"
	ReasonUnreachable = "unreachable"
	ReasonHTTPStatus  = "http_status"
	ReasonTooLarge    = "body_too_large"
	ReasonParse       = "parse_error"
)
