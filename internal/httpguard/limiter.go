package httpguard

import (
	"container/list"
	"math"
	"net/netip"
	"sync"
	"time"
)

// limiter is a per-client token bucket with bounded memory: at most max
// clients are tracked, the least recently seen is evicted first, and
// clients idle long enough for their bucket to be full again are dropped
// opportunistically (forgetting a full bucket changes nothing).
type limiter struct {
	rate  float64       // tokens per second
	burst float64       // bucket size
	idle  time.Duration // time to refill an empty bucket
	max   int

	mu      sync.Mutex
	clients map[netip.Addr]*list.Element // of *bucket
	lru     list.List                    // front: most recently seen
}

type bucket struct {
	addr   netip.Addr
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, burst, max int) *limiter {
	l := &limiter{
		rate:    rate,
		burst:   float64(burst),
		idle:    time.Duration(float64(burst) / rate * float64(time.Second)),
		max:     max,
		clients: make(map[netip.Addr]*list.Element),
	}
	l.lru.Init()
	return l
}

// ClientKey is the address a client is counted under by the rate limit and
// the connection cap: an IPv4 address itself, an IPv6 address's /64. One
// IPv6 subscriber is routinely given a whole /64 (RFC 6177), so keying on
// the full address would hand an attacker 2^64 fresh buckets.
func ClientKey(a netip.Addr) netip.Addr {
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.Addr()
	}
	return a
}

// allow takes a token for addr (keyed by [ClientKey]) at now. When none is left it returns false
// and how long until the next token.
func (l *limiter) allow(addr netip.Addr, now time.Time) (ok bool, retryAfter time.Duration) {
	addr = ClientKey(addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dropIdle(now)
	b := l.get(addr, now)
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = math.Min(l.burst, b.tokens+elapsed.Seconds()*l.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// get returns addr's bucket, creating it (and evicting the least recently
// seen client when full), and marks it most recently seen.
func (l *limiter) get(addr netip.Addr, now time.Time) *bucket {
	if e, ok := l.clients[addr]; ok {
		l.lru.MoveToFront(e)
		return e.Value.(*bucket)
	}
	if l.lru.Len() >= l.max {
		e := l.lru.Back()
		b := e.Value.(*bucket)
		delete(l.clients, b.addr)
		*b = bucket{addr: addr, tokens: l.burst, last: now}
		l.clients[addr] = e
		l.lru.MoveToFront(e)
		return b
	}
	b := &bucket{addr: addr, tokens: l.burst, last: now}
	l.clients[addr] = l.lru.PushFront(b)
	return b
}

// dropIdle forgets up to two least recently seen clients whose buckets
// have refilled completely, so memory shrinks back after a burst of
// clients without a background goroutine.
func (l *limiter) dropIdle(now time.Time) {
	for range 2 {
		e := l.lru.Back()
		if e == nil {
			return
		}
		b := e.Value.(*bucket)
		if now.Sub(b.last) < l.idle {
			return
		}
		l.lru.Remove(e)
		delete(l.clients, b.addr)
	}
}

// len returns the number of tracked clients.
func (l *limiter) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lru.Len()
}
