package sidecar

import "errors"

var (
	// ErrInvalidConfig wraps every configuration error.
	ErrInvalidConfig = errors.New("invalid sidecar config")
	// ErrNotRunning is returned by Reload when Run is not running.
	ErrNotRunning = errors.New("sidecar: not running")
	// ErrTargetNotAllowed is returned by the /probe handler (403) for a
	// target outside the module's allowed_targets.
	ErrTargetNotAllowed = errors.New("sidecar: target not allowed for this module")
	// ErrBadTarget is returned by the /probe handler (400) for a target
	// the module's kind cannot probe (e.g. an http URL for a stun module).
	ErrBadTarget = errors.New("sidecar: bad probe target")
)
