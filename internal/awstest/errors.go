package awstest

import "errors"

// Sentinel errors returned by the wire codecs of this package.
var (
	// ErrDecode reports a request body that does not decode into the
	// operation's input shape.
	ErrDecode = errors.New("awstest: cannot decode request")
	// ErrUnsupported reports a Go type the CBOR shape codec cannot map.
	ErrUnsupported = errors.New("awstest: unsupported type")
)

// APIError is an error response the servers send: an HTTP status, the
// service's error shape name (used for the typed SDK error) and, for
// CloudWatch's awsQueryCompatible mode, the legacy query error code.
type APIError struct {
	// Status is the HTTP status code, e.g. 400.
	Status int
	// Shape is the modeled error shape, e.g. "ResourceNotFound".
	Shape string
	// QueryCode is the legacy AWS query error code (CloudWatch only), e.g.
	// "Throttling"; empty means Shape.
	QueryCode string
	// Message is the human readable message.
	Message string
	// Fault is "Sender" for client errors and "Receiver" for server errors.
	Fault string
}

// Error implements error.
func (e *APIError) Error() string { return e.Shape + ": " + e.Message }
