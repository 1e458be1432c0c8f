package voicetest

import (
	"testing"
	"time"
)

// Eventually polls cond every 10 ms until it holds, failing the test if d
// passes first.
func Eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// WaitFor waits until ch is closed (or receives), failing the test if d
// passes first.
func WaitFor(t testing.TB, what string, ch <-chan struct{}, d time.Duration) {
	t.Helper()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ch:
	case <-timer.C:
		t.Fatalf("timed out after %s waiting for %s", d, what)
	}
}
