package probes

import "errors"

var (
	// ErrUnknownKind is returned by [Registry.Lookup] for an unregistered kind.
	ErrUnknownKind = errors.New("unknown probe kind")
	// ErrBadKind is returned by [Registry.Register] for a [Kind] without a
	// name or Decode.
	ErrBadKind = errors.New("incomplete probe kind")
	// ErrDuplicateKind is returned by [Registry.Register] for a kind already registered.
	ErrDuplicateKind = errors.New("probe kind already registered")
	// ErrAssertion wraps every assertion failure.
	ErrAssertion = errors.New("assertion failed")
	// ErrTimeout is the error of a probe that ran out of time.
	ErrTimeout = errors.New("probe timed out")
)
