package cloudwatch

import (
	"slices"
	"time"

	"go.opentelemetry.io/otel/attribute"
)

// seriesKey identifies one source series: metric name and full attribute set.
type seriesKey struct {
	name  string
	attrs attribute.Distinct
}

// counterState is the last cumulative observation of a counter series. Its
// times point to values shared with other series (see deltas.instant and
// deltas.startOf): 24 bytes a counter, where one state type for counters
// and histograms with the times inline took 120.
type counterState struct {
	value float64
	start *time.Time
	seen  *time.Time
}

// histogramState is the last cumulative observation of a histogram series.
// bounds is shared with other series (see deltas.boundsOf): never modify it.
type histogramState struct {
	histPoint
	start *time.Time
	seen  *time.Time
}

// histPoint is one histogram observation, cumulative or delta. It is also
// a histogram record's histogram part (record.hist), kept per series: a
// field added here grows every histogram record (see TestRecordSize).
type histPoint struct {
	bounds []float64
	counts []uint64
	count  uint64
	sum    float64
}

// deltas turns cumulative observations into per-interval deltas. It is not
// safe for concurrent use; the exporter serialises conversions.
//
// Counters and histograms have separate maps so that the state of a
// counter, by far the most common series, holds no histogram fields.
type deltas struct {
	counters   map[seriesKey]*counterState
	histograms map[seriesKey]*histogramState
	// countersPeak and histogramsPeak are the most entries the maps held.
	countersPeak, histogramsPeak mapPeak
	// warm is false until the first collection was recorded: that one only
	// sets baselines (see the package documentation).
	warm bool
	ttl  time.Duration

	now    *time.Time // the instant of the current collection
	start  *time.Time // the start time last stored
	bounds []float64  // the bucket bounds last stored
}

// newDeltas returns empty delta state that forgets a series not seen for
// ttl.
func newDeltas(ttl time.Duration) *deltas {
	return &deltas{counters: map[seriesKey]*counterState{}, histograms: map[seriesKey]*histogramState{}, ttl: ttl}
}

// resetBy reports whether a new observation starts a new counter life: the
// start time moved forward from prev (a re-created counter) or the value
// went down.
func resetBy(prev, start time.Time, lower bool) bool {
	return lower || (!start.IsZero() && !prev.IsZero() && start.After(prev))
}

// counter returns the delta of a monotonic cumulative sum and whether there
// is one to send.
func (d *deltas) counter(k seriesKey, v float64, start, now time.Time) (float64, bool) {
	st, ok := d.counters[k]
	if !ok {
		d.counters[k] = &counterState{value: v, start: d.startOf(nil, start), seen: d.instant(now)}
		return v, d.warm
	}
	delta := v - st.value
	if resetBy(*st.start, start, v < st.value) {
		delta = v
	}
	st.value, st.start, st.seen = v, d.startOf(st.start, start), d.instant(now)
	return delta, true
}

// histogram returns the delta of a cumulative histogram observation p and
// whether there is one to send. The delta's bucket counts are appended to
// dst; its bounds are shared and must not be modified. p is copied, not
// kept.
func (d *deltas) histogram(k seriesKey, dst []uint64, p histPoint, start, now time.Time) (histPoint, bool) {
	st, ok := d.histograms[k]
	if !ok {
		st = &histogramState{histPoint: histPoint{counts: slices.Clone(p.counts), count: p.count, sum: p.sum}}
		st.bounds, st.start, st.seen = d.boundsOf(nil, p.bounds), d.startOf(nil, start), d.instant(now)
		d.histograms[k] = st
		if !d.warm {
			return histPoint{}, false
		}
		return histPoint{bounds: st.bounds, counts: append(dst, p.counts...), count: p.count, sum: p.sum}, true
	}
	delta := histPoint{counts: dst, count: p.count, sum: p.sum}
	if resetBy(*st.start, start, st.lower(p)) {
		delta.counts = append(delta.counts, p.counts...)
	} else {
		for i, c := range p.counts {
			delta.counts = append(delta.counts, c-st.counts[i])
		}
		delta.count, delta.sum = p.count-st.count, p.sum-st.sum
	}
	st.bounds = d.boundsOf(st.bounds, p.bounds)
	st.counts = append(st.counts[:0], p.counts...)
	st.count, st.sum, st.start, st.seen = p.count, p.sum, d.startOf(st.start, start), d.instant(now)
	delta.bounds = st.bounds
	return delta, true
}

// lower reports whether p is below st (a reset): a lower count or bucket
// count, or another bucket layout.
func (st *histogramState) lower(p histPoint) bool {
	if p.count < st.count || !slices.Equal(p.bounds, st.bounds) || len(p.counts) != len(st.counts) {
		return true
	}
	for i, c := range p.counts {
		if c < st.counts[i] {
			return true
		}
	}
	return false
}

// instant returns a pointer to now, the instant of the collection being
// converted, shared by every series it sees. (Comparing with == rather than
// Equal keeps the monotonic reading: expiry sees exactly the time given.)
func (d *deltas) instant(now time.Time) *time.Time {
	if d.now == nil || *d.now != now {
		d.now = ptr(now)
	}
	return d.now
}

// startOf returns a pointer to start: prev when it holds the same time, or
// the one last stored (under the Prometheus bridge every series without a
// created timestamp starts at the bridge's start), else a new one.
func (d *deltas) startOf(prev *time.Time, start time.Time) *time.Time {
	switch {
	case prev != nil && *prev == start:
		return prev
	case d.start == nil || *d.start != start:
		d.start = ptr(start)
	}
	return d.start
}

// boundsOf returns bounds as an immutable slice shared between histogram
// series: prev when it holds the same bounds, or the one last stored (the
// series of a metric usually share a layout), else a copy.
func (d *deltas) boundsOf(prev, bounds []float64) []float64 {
	switch {
	case prev != nil && slices.Equal(prev, bounds):
		return prev
	case d.bounds == nil || !slices.Equal(d.bounds, bounds):
		d.bounds = slices.Clip(slices.Clone(bounds))
	}
	return d.bounds
}

// endCollection marks the end of one collection: later new series are born
// after it, and series not seen for ttl are forgotten (their maps rebuilt
// smaller after a burst of series).
func (d *deltas) endCollection(now time.Time) {
	d.warm = true
	d.countersPeak.see(len(d.counters))
	d.histogramsPeak.see(len(d.histograms))
	for k, st := range d.counters {
		if now.Sub(*st.seen) > d.ttl {
			delete(d.counters, k)
		}
	}
	for k, st := range d.histograms {
		if now.Sub(*st.seen) > d.ttl {
			delete(d.histograms, k)
		}
	}
	d.counters = shrink(d.counters, &d.countersPeak)
	d.histograms = shrink(d.histograms, &d.histogramsPeak)
}
