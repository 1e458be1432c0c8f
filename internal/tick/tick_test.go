package tick

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestEvery(t *testing.T) {
	t.Run("now runs at once, then after the jitter, then on the interval", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		var calls atomic.Int32
		var jitterAsked time.Duration
		done := make(chan struct{})
		go func() {
			defer close(done)
			Every(ctx, time.Millisecond, func(d time.Duration) time.Duration { jitterAsked = d; return 0 }, true, func(context.Context) {
				if calls.Add(1) == 3 {
					cancel()
				}
			})
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Every did not return after cancel")
		}
		if calls.Load() != 3 || jitterAsked != time.Millisecond {
			t.Errorf("calls = %d, jitter asked for %v; want 3 and the interval", calls.Load(), jitterAsked)
		}
	})
	t.Run("without now the first call waits for the jitter", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		var calls atomic.Int32
		done := make(chan struct{})
		go func() {
			defer close(done)
			Every(ctx, time.Hour, func(time.Duration) time.Duration { return time.Hour }, false, func(context.Context) { calls.Add(1) })
		}()
		cancel()
		<-done
		if calls.Load() != 0 {
			t.Errorf("called %d times before the jittered start", calls.Load())
		}
	})
	t.Run("a cancelled context runs nothing", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		Every(ctx, time.Millisecond, None, true, func(context.Context) { t.Error("called after cancel") })
	})
}

func TestRandom(t *testing.T) {
	for range 1000 {
		if d := Random(10 * time.Millisecond); d < 0 || d >= 10*time.Millisecond {
			t.Fatalf("Random = %v, outside [0, 10ms)", d)
		}
	}
	if Random(0) != 0 || Random(-1) != 0 {
		t.Error("Random of a non-positive interval is not 0")
	}
}
