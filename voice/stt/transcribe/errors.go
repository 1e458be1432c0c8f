package transcribe

import (
	"errors"
	"fmt"
)

// Errors of the adapter. Service failures are *voice.ProviderError values
// wrapping an *APIError or a transport error.
var (
	// ErrInvalidConfig: a Config field is out of range.
	ErrInvalidConfig = errors.New("transcribe: invalid config")
	// ErrClosed: the stream was closed.
	ErrClosed = errors.New("transcribe: stream closed")
	// ErrOverflow: audio was dropped because the service did not keep up.
	ErrOverflow = errors.New("transcribe: audio dropped, send buffer full")
	// ErrCodec: the session's codec cannot be sent to Transcribe.
	ErrCodec = errors.New("transcribe: unsupported codec")
	// ErrConnectTimeout: the service did not answer the request in time.
	ErrConnectTimeout = errors.New("transcribe: no response within the connect timeout")
	// ErrResultTimeout: the final result did not arrive in time after the
	// end of speech.
	ErrResultTimeout = errors.New("transcribe: no final result within the result timeout")
	// ErrStreamEnded: the service ended the response before the end of speech.
	ErrStreamEnded = errors.New("transcribe: service ended the stream early")
)

// APIError is an error answered by the service: an HTTP error response
// (X-Amzn-ErrorType) or an exception event in the response stream.
type APIError struct {
	// Code is the error type, e.g. BadRequestException.
	Code string
	// Message is the service's message.
	Message string
	// Status is the HTTP status, 0 for an exception event.
	Status int
}

func (e *APIError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("transcribe: HTTP %d %s: %s", e.Status, e.Code, e.Message)
	}
	return fmt.Sprintf("transcribe: %s: %s", e.Code, e.Message)
}
