package httpguard

import "time"

// Option customises a [Guard].
type Option func(*options)

type options struct {
	now    func() time.Time
	routes *Routes
}

// WithClock makes the Guard read the time from now instead of time.Now, so
// tests can drive the rate limiter deterministically.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// WithRoutes makes the Guard answer requests for paths outside routes with
// 404 and report them as PatternUnknownRoute (default: every path is
// served, the handler decides).
func WithRoutes(routes *Routes) Option {
	return func(o *options) { o.routes = routes }
}
