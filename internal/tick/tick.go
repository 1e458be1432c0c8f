// Package tick runs work on an interval with a jittered start, the one
// helper the scraper and the probe scheduler share (as
// synthetic-monitoring-agent's tick helper serves all its checks): many
// targets or probes with the same interval are spread over it instead of
// firing together.
package tick

import (
	"context"
	"math/rand/v2"
	"time"
)

// Jitter returns an offset in [0, interval).
type Jitter func(interval time.Duration) time.Duration

// Random is the default Jitter: uniform in [0, interval).
func Random(interval time.Duration) time.Duration {
	if interval <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(interval)))
}

// None is a Jitter of zero (tests).
func None(time.Duration) time.Duration { return 0 }

// Every calls f until ctx ends: first at once when now is true, then after
// jitter(interval), then every interval after each call returns. A nil
// jitter is Random. f gets ctx and runs on the calling goroutine, so Every
// returns only after f has.
func Every(ctx context.Context, interval time.Duration, jitter Jitter, now bool, f func(context.Context)) {
	if jitter == nil {
		jitter = Random
	}
	if now {
		if ctx.Err() != nil {
			return
		}
		f(ctx)
	}
	timer := time.NewTimer(jitter(interval))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		f(ctx)
		timer.Reset(interval)
	}
}
