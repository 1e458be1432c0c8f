// Package probebench holds the benchmark loops the STUN and TURN probers
// share: one probe after another, probes per second, and how far past its
// timeout a probe returns.
package probebench

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/probes"
)

// Concurrent runs batches of 1, 10 and 100 concurrent probes of p, each
// within timeout, as sub-benchmarks concurrent_N, and reports probes per
// second. A failed probe fails the benchmark.
func Concurrent(b *testing.B, p probes.Prober, timeout time.Duration) {
	for _, n := range []int{1, 10, 100} {
		b.Run("concurrent_"+strconv.Itoa(n), func(b *testing.B) {
			start := time.Now()
			done := 0
			for b.Loop() {
				var wg sync.WaitGroup
				for range n {
					wg.Go(func() {
						ctx, cancel := context.WithTimeout(context.Background(), timeout)
						defer cancel()
						if r := p.Probe(ctx); !r.Success {
							b.Error(r.Failure)
						}
					})
				}
				wg.Wait()
				done += n
			}
			b.ReportMetric(float64(done)/time.Since(start).Seconds(), "probes/s")
		})
	}
}

// Sequential runs p once per iteration, each within timeout, and calls
// observe (when not nil) with every result. A failed probe fails the
// benchmark.
func Sequential(b *testing.B, p probes.Prober, timeout time.Duration, observe func(probes.Result)) {
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		r := p.Probe(ctx)
		cancel()
		if !r.Success {
			b.Fatal(r.Failure)
		}
		if observe != nil {
			observe(r)
		}
	}
}

// TimeoutOvershoot runs p (a probe of a server that never answers) with a
// timeout and reports how far past it the probe returned: the mean and
// the worst, in µs.
func TimeoutOvershoot(b *testing.B, p probes.Prober, timeout time.Duration) {
	var total, worst time.Duration
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		start := time.Now()
		_ = p.Probe(ctx)
		over := time.Since(start) - timeout
		cancel()
		total += over
		worst = max(worst, over)
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N), "overshoot_µs")
	b.ReportMetric(float64(worst.Microseconds()), "max_overshoot_µs")
}
