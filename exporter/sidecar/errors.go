package sidecar

import "errors"

var (
	// ErrInvalidConfig wraps every configuration error.
	ErrInvalidConfig = errors.New("invalid sidecar config")
	// ErrNotRunning is returned by Reload when Run is not running.
	ErrNotRunning = errors.New("sidecar: not running")
	// ErrUnknownModule is returned by the /probe handler for a module name
	// that is not configured.
	ErrUnknownModule = errors.New("sidecar: unknown module")
	// ErrTargetNotAllowed is returned by the /probe handler (403) for a
	// target outside the module's allowed_targets.
	ErrTargetNotAllowed = errors.New("sidecar: target not allowed for this module")
)
