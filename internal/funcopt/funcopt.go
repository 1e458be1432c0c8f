// Package funcopt holds what the constructors that take functional options
// (New(cfg, opts ...Option)) share: applying the options over the
// defaults, and the logger that stands in when none is given.
package funcopt

import "log/slog"

// Apply returns o, which holds the defaults, with opts applied to it in
// order.
func Apply[O any, Opt ~func(*O)](o O, opts []Opt) O {
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// Logger returns l, or, when l is nil, a logger that discards everything:
// the default of the WithLogger options.
func Logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
