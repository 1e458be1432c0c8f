package httpguard

import "time"

// Option customises a [Guard].
type Option func(*options)

type options struct {
	now func() time.Time
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
