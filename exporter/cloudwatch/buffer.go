package cloudwatch

import (
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// buffer is the bounded FIFO of datums waiting for PutMetricData. Datums
// that do not fit are refused (the newest are dropped, so what was buffered
// first is delivered first and nothing is sent twice).
type buffer struct {
	mu    sync.Mutex
	cap   int
	items []types.MetricDatum
	sizes []int
	head  int
	// inflight is how many of the oldest datums a running flush is sending;
	// drain leaves them to that flush.
	inflight int
}

func newBuffer(capacity int) *buffer { return &buffer{cap: capacity} }

// push appends as many datums as fit and returns how many were refused.
func (b *buffer) push(ds []types.MetricDatum) (refused int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	free := b.cap - (len(b.items) - b.head)
	if len(ds) > free {
		refused = len(ds) - free
		ds = ds[:free]
	}
	for i := range ds {
		b.items = append(b.items, ds[i])
		b.sizes = append(b.sizes, datumSize(&ds[i]))
	}
	return refused
}

// peek copies the oldest datums that fit one request (at most maxDatums and
// maxBytes, but always at least one) into dst.
func (b *buffer) peek(dst []types.MetricDatum, maxDatums, maxBytes int) []types.MetricDatum {
	b.mu.Lock()
	defer b.mu.Unlock()
	dst = dst[:0]
	bytes := 0
	for i := b.head; i < len(b.items) && len(dst) < maxDatums; i++ {
		if bytes+b.sizes[i] > maxBytes && len(dst) > 0 {
			break
		}
		bytes += b.sizes[i]
		dst = append(dst, b.items[i])
	}
	b.inflight = len(dst)
	return dst
}

// unpeek ends a flush's claim on the datums it peeked without removing them.
func (b *buffer) unpeek() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.inflight = 0
}

// pop removes the n oldest datums.
func (b *buffer) pop(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.inflight = 0
	n = min(n, len(b.items)-b.head)
	clear(b.items[b.head : b.head+n]) // let the GC have the pointers
	b.head += n
	if b.head == len(b.items) {
		b.items, b.sizes, b.head = b.items[:0], b.sizes[:0], 0
	} else if b.head > len(b.items)/2 {
		live := copy(b.items, b.items[b.head:])
		copy(b.sizes, b.sizes[b.head:])
		b.items, b.sizes, b.head = b.items[:live], b.sizes[:live], 0
	}
}

// drain removes every datum that no running flush is sending and returns
// how many it removed.
func (b *buffer) drain() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	keep := b.head + b.inflight
	n := len(b.items) - keep
	clear(b.items[keep:])
	b.items, b.sizes = b.items[:keep], b.sizes[:keep]
	return n
}

// len returns the number of buffered datums.
func (b *buffer) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.items) - b.head
}
