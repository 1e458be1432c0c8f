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

// seriesState is the last cumulative observation of a series.
type seriesState struct {
	value  float64   // counter
	bounds []float64 // histogram
	counts []uint64
	count  uint64
	sum    float64
	start  time.Time
	seen   time.Time
}

// deltas turns cumulative observations into per-interval deltas. It is not
// safe for concurrent use; the exporter serialises conversions.
type deltas struct {
	series map[seriesKey]*seriesState
	// warm is false until the first collection was recorded: that one only
	// sets baselines (see the package documentation).
	warm bool
	ttl  time.Duration
}

func newDeltas(ttl time.Duration) *deltas {
	return &deltas{series: map[seriesKey]*seriesState{}, ttl: ttl}
}

// reset reports whether a new observation starts a new counter life: the
// start time moved forward (a re-created counter) or the value went down.
func resetBy(st *seriesState, start time.Time, lower bool) bool {
	return lower || (!start.IsZero() && !st.start.IsZero() && start.After(st.start))
}

// counter returns the delta of a monotonic cumulative sum and whether there
// is one to send.
func (d *deltas) counter(k seriesKey, v float64, start, now time.Time) (float64, bool) {
	st, ok := d.series[k]
	if !ok {
		d.series[k] = &seriesState{value: v, start: start, seen: now}
		return v, d.warm
	}
	delta := v - st.value
	if resetBy(st, start, v < st.value) {
		delta = v
	}
	st.value, st.start, st.seen = v, start, now
	return delta, true
}

// histogram returns the delta bucket counts, count and sum of a cumulative
// histogram and whether there is one to send. The returned counts slice is
// owned by the caller.
func (d *deltas) histogram(k seriesKey, bounds []float64, counts []uint64, count uint64, sum float64, start, now time.Time) ([]uint64, uint64, float64, bool) {
	st, ok := d.series[k]
	if !ok {
		d.series[k] = &seriesState{bounds: slices.Clone(bounds), counts: slices.Clone(counts), count: count, sum: sum, start: start, seen: now}
		if !d.warm {
			return nil, 0, 0, false
		}
		return slices.Clone(counts), count, sum, true
	}
	lower := count < st.count || !slices.Equal(bounds, st.bounds) || len(counts) != len(st.counts)
	if !lower {
		for i, c := range counts {
			if c < st.counts[i] {
				lower = true
				break
			}
		}
	}
	out := make([]uint64, len(counts))
	dCount, dSum := count, sum
	if resetBy(st, start, lower) {
		copy(out, counts)
	} else {
		for i, c := range counts {
			out[i] = c - st.counts[i]
		}
		dCount, dSum = count-st.count, sum-st.sum
	}
	st.bounds = append(st.bounds[:0], bounds...)
	st.counts = append(st.counts[:0], counts...)
	st.count, st.sum, st.start, st.seen = count, sum, start, now
	return out, dCount, dSum, true
}

// endCollection marks the end of one collection: later new series are born
// after it, and series not seen for ttl are forgotten.
func (d *deltas) endCollection(now time.Time) {
	d.warm = true
	for k, st := range d.series {
		if now.Sub(st.seen) > d.ttl {
			delete(d.series, k)
		}
	}
}
