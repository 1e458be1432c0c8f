// Package probetest holds the test helper the probe kinds share: run a
// prober once within a timeout and check that it returned in time.
package probetest

import (
	"context"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/probes"
)

// Slack is how far past its timeout a probe may return before Run fails
// the test: a generous bound on "a probe never outlives its timeout"
// (docs/benchmarks.md measures the real overshoot), so that a loaded CI
// machine stays green.
const Slack = 500 * time.Millisecond

// Run runs p once with a context that ends after timeout, reports an error
// on t when the probe returned more than Slack after that, and returns the
// result.
func Run(t testing.TB, p probes.Prober, timeout time.Duration) probes.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	start := time.Now()
	r := p.Probe(ctx)
	if el := time.Since(start); el > timeout+Slack {
		t.Errorf("probe took %s with a %s timeout", el, timeout)
	}
	return r
}

// Expect checks r against a table row. With reason set it wants a failure
// with that reason (in phase, unless phase is "") and returns false: the
// row needs no more checks. Otherwise it wants a success and returns true.
func Expect(t testing.TB, r probes.Result, reason probes.Reason, phase string) bool {
	t.Helper()
	if reason != "" {
		if r.Success || r.Failure.Reason != reason || (phase != "" && r.Failure.Phase != phase) {
			t.Fatalf("failure %+v, want %s in %q", r.Failure, reason, phase)
		}
		return false
	}
	if !r.Success {
		t.Fatalf("failed: %+v (phases %v)", r.Failure, r.Phases)
	}
	return true
}
