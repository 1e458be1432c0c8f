// Package probebench holds the probes-per-second benchmark the STUN and TURN
// probers share.
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
