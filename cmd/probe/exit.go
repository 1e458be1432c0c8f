package main

import (
	"errors"
	"flag"
)

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

var (
	// errProbesFailed is returned by run when at least one probe failed.
	errProbesFailed = errors.New("one or more probes failed")
	// errUsage wraps command-line and configuration errors.
	errUsage = errors.New("usage")
)

// exitCode maps run's error to the process exit status.
func exitCode(err error) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errProbesFailed):
		return exitFailed
	default:
		return exitUsage
	}
}
