package httpguard

import (
	"net/netip"
	"testing"
	"time"
)

func addrN(i int) netip.Addr {
	return netip.AddrFrom4([4]byte{198, 51, byte(i >> 8), byte(i)})
}

func TestLimiterTokenBucket(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	l := newLimiter(2, 3, 10) // 2/s, burst 3
	a := addrN(1)
	for i := range 3 {
		if ok, _ := l.allow(a, t0); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := l.allow(a, t0)
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("4th request: ok=%v wait=%v; want refused, 500ms", ok, wait)
	}
	if ok, _ := l.allow(addrN(2), t0); !ok {
		t.Fatal("another client is limited by the first one's bucket")
	}
	if ok, _ := l.allow(a, t0.Add(500*time.Millisecond)); !ok {
		t.Fatal("refused after the refill time")
	}
	if ok, _ := l.allow(a, t0.Add(400*time.Millisecond)); ok {
		t.Fatal("a clock going backwards refilled the bucket")
	}
}

func TestLimiterMemoryBounded(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	const max = 100
	l := newLimiter(1, 1, max)
	for i := range 10 * max {
		l.allow(addrN(i), t0)
		if n := l.len(); n > max {
			t.Fatalf("after %d clients the limiter tracks %d, want <= %d", i+1, n, max)
		}
	}
	if len(l.clients) != l.lru.Len() {
		t.Fatalf("map (%d) and LRU list (%d) disagree", len(l.clients), l.lru.Len())
	}
}

func TestLimiterKeepsRecentClientUnderChurn(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	const max = 50
	l := newLimiter(1, 1, max)
	abuser := addrN(9999)
	l.allow(abuser, t0)
	// The abuser keeps knocking while other clients come and go; being
	// recently seen, it is never the one evicted, so it stays limited.
	for i := range 10 * max {
		l.allow(addrN(i), t0)
		if ok, _ := l.allow(abuser, t0); ok {
			t.Fatalf("abuser allowed again after %d other clients", i+1)
		}
	}
}

func TestLimiterDropsIdleClients(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	l := newLimiter(10, 20, 1000) // an empty bucket refills in 2s
	for i := range 10 {
		l.allow(addrN(i), t0)
	}
	later := t0.Add(2 * time.Second)
	for range 10 {
		l.allow(addrN(500), later)
	}
	if n := l.len(); n != 1 {
		t.Fatalf("after every other client idled out, %d are tracked, want 1", n)
	}
}
