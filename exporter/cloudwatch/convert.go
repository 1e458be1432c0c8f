package cloudwatch

import (
	"encoding/binary"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// kind is what a record measures.
type kind uint8

const (
	kindGauge kind = iota
	kindCounter
	kindHistogram
)

// record is one metric at one dimension set after delta computation and
// aggregation of the series that collapse onto it. Records persist across
// collections (see converter); begin resets what one collection computes.
//
// The converter keeps one record per series from one collection to the
// next, so the record's size is most of its resident memory: what only
// histograms use is behind hist, and the time is kept as the milliseconds
// CloudWatch and EMF take (96 bytes with the gauge aggregation, size class
// 96; see TestRecordSize).
type record struct {
	name string
	// dims are the static dimensions then the allowed labels, in order. The
	// slice is interned: records with the same dimensions share it, and API
	// datums still buffered alias it. Never modify it.
	dims []types.Dimension
	unit types.StandardUnit
	// ms is the latest data point time in Unix milliseconds (the precision
	// of CloudWatch timestamps and EMF lines), noTime before any.
	ms    int64
	value float64 // gauge value or counter delta
	// hist is the histogram delta of the collection: bucket counts, count
	// and sum. It is allocated for the first histogram data point added to
	// the record and kept from then on (begin resets it); nil for gauges and
	// counters. Read it through histogram.
	hist *histPoint

	gen    uint32 // the last collection that touched the record
	n      uint32 // gauge data points merged this collection (average, collapse)
	kind   kind
	agg    aggKind // how gauge data points merge (plan)
	has    bool    // there is something to send (false: baselines only)
	merged bool    // histogram: hist holds this collection's buckets
}

// noTime is the time of a record no data point gave a later one: the zero
// time.Time, which records started from when they kept a time.Time.
var noTime = time.Time{}.UnixMilli()

// begin starts collection gen for r: it forgets what the previous one
// computed, keeping the histogram part (see resetHist).
func (r *record) begin(gen uint32, k kind, unit types.StandardUnit, agg aggKind) {
	r.gen, r.kind, r.unit, r.agg = gen, k, unit, agg
	r.ms, r.has, r.value, r.merged, r.n = noTime, false, 0, false, 0
	r.resetHist()
}

// resetHist empties r's histogram part, if it has one, keeping the capacity
// of its counts (writers do not keep it: datums and EMF lines copy the
// buckets) and no reference to the bounds.
func (r *record) resetHist() {
	if r.hist != nil {
		*r.hist = histPoint{counts: r.hist.counts[:0]}
	}
}

// histogram returns the histogram delta r holds for this collection: the
// zero histPoint when no histogram data point was ever added to it. The
// slices are r's: read them only, and not after the next collection.
func (r *record) histogram() histPoint {
	if r.hist == nil {
		return histPoint{}
	}
	return *r.hist
}

// seeTime makes t the record's time if it is later. UnixMilli rounds
// down, so the latest millisecond is that of the latest time: the same as
// keeping the latest time.Time and converting it when writing.
func (r *record) seeTime(t time.Time) {
	r.ms = max(r.ms, t.UnixMilli())
}

// timestamp returns the record's time (in the local zone, to the
// millisecond).
func (r *record) timestamp() time.Time {
	return time.UnixMilli(r.ms)
}

// dimSet is an interned dimension slice and how many records use it.
type dimSet struct {
	dims []types.Dimension
	refs int
}

// converter turns collected metrics into records. Not safe for concurrent
// use: the exporter serialises calls.
//
// Records are kept from one collection to the next, keyed by metric name and
// allowed label values, so that a steady set of series allocates nothing. A
// record that no data point of a collection touched is forgotten at the end
// of that collection (its dimensions too, once no record uses them): records
// carry no state between collections, only their memory, so keeping one any
// longer would only hold memory for a series that may never return (the
// delta state in deltas is what survives an absence, for Config.SeriesTTL).
type converter struct {
	cfg     *Config
	static  []types.Dimension
	deltas  *deltas
	records map[string]*record // by recordKey
	dimSets map[string]*dimSet // by dimKey
	names   map[string]*string // label names, shared by every dimension slice
	order   []*record          // records of the current collection, first seen first
	// gen numbers collections. Wrapping around is harmless: after a
	// collection every record left has its number, which the next lacks.
	gen     uint32
	keyBuf  []byte
	dimBuf  []byte
	histBuf []uint64         // delta bucket counts of one series
	skipped int              // data points that cannot be represented
	noAgg   int              // gauge records dropped: series collapsed without an aggregation
	plans   map[string]*plan // by metric name, decided once

	recordsPeak, dimSetsPeak mapPeak // the most entries records and dimSets held
}

// newConverter returns a converter with no records and no delta state.
func newConverter(cfg *Config) *converter {
	c := &converter{cfg: cfg, deltas: newDeltas(cfg.SeriesTTL),
		records: map[string]*record{}, dimSets: map[string]*dimSet{}, names: map[string]*string{}, plans: map[string]*plan{}}
	for _, name := range sortedKeys(cfg.StaticDimensions) {
		c.static = append(c.static, types.Dimension{Name: ptr(name), Value: ptr(cfg.StaticDimensions[name])})
	}
	return c
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }

// convert computes the records of one collection, in first-seen order. The
// records and the slice are the converter's and valid until the next call:
// the next collection reuses them.
func (c *converter) convert(rm *metricdata.ResourceMetrics, now time.Time) []*record {
	c.gen++
	c.resetOrder()
	c.skipped, c.noAgg = 0, 0
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			c.metric(m, now)
		}
	}
	c.deltas.endCollection(now)
	c.forgetUntouched()
	for _, r := range c.order {
		if r.has && r.kind == kindGauge {
			switch {
			case r.agg == aggAvg:
				r.value /= float64(r.n)
			case r.agg == aggNone && r.n > 1:
				// Summing would be wrong for a gauge such as
				// process_start_time_seconds; no aggregation was named.
				r.has = false
				c.noAgg++
				continue
			}
		}
		if r.has && !r.finite() {
			// CloudWatch refuses NaN and ±Inf: a whole PutMetricData
			// request would fail, an EMF line would not parse.
			r.has = false
			c.skipped++
		}
	}
	return c.order
}

// resetOrder empties c.order for a new collection, keeping no reference to
// records (they may be forgotten) and reallocating it smaller when the last
// collection used less than a quarter of it (after a burst of series).
func (c *converter) resetOrder() {
	n := len(c.order)
	clear(c.order)
	if cap(c.order) >= shrinkMin && n < cap(c.order)/4 {
		c.order = make([]*record, 0, n)
	}
	c.order = c.order[:0]
}

// forgetUntouched removes the records this collection did not touch, and
// the dimension slices no remaining record uses; it rebuilds their maps
// smaller after a burst of series.
func (c *converter) forgetUntouched() {
	c.recordsPeak.see(len(c.records))
	c.dimSetsPeak.see(len(c.dimSets))
	if len(c.records) > len(c.order) { // else every record was touched
		for k, r := range c.records {
			if r.gen != c.gen {
				delete(c.records, k)
				c.releaseDims(r.dims)
			}
		}
	}
	c.records = shrink(c.records, &c.recordsPeak)
	c.dimSets = shrink(c.dimSets, &c.dimSetsPeak)
}

// finite reports whether the values r sends can be finite numbers: a sum
// of several series can overflow, and a histogram bound can be NaN or -Inf
// (the +Inf bound is sent as the last finite one). A histogram's sum may
// be infinite after an observation of +Inf: the API datum has no sum, and
// the EMF writer estimates it from the buckets.
func (r *record) finite() bool {
	if r.kind != kindHistogram {
		return !math.IsNaN(r.value) && !math.IsInf(r.value, 0)
	}
	for _, b := range r.histogram().bounds {
		if math.IsNaN(b) || math.IsInf(b, -1) {
			return false
		}
	}
	return true
}

// planOf returns the plan of metric name, deciding it on first sight.
func (c *converter) planOf(name string) *plan {
	p, ok := c.plans[name]
	if !ok {
		pl := c.cfg.planFor(name)
		if !pl.hasUnit {
			pl.unit = unitFor(name)
		}
		p = &pl
		c.plans[name] = p
	}
	return p
}

// metric adds the data points of m to their records, one record per
// dimension set of its plan; metrics the plan does not publish are skipped.
func (c *converter) metric(m metricdata.Metrics, now time.Time) {
	p := c.planOf(m.Name)
	if !p.publish {
		return
	}
	switch data := m.Data.(type) {
	case metricdata.Gauge[float64]:
		for _, dp := range data.DataPoints {
			c.scalar(m.Name, p, kindGauge, dp.Attributes, dp.Time, dp.Value, true)
		}
	case metricdata.Gauge[int64]:
		for _, dp := range data.DataPoints {
			c.scalar(m.Name, p, kindGauge, dp.Attributes, dp.Time, float64(dp.Value), true)
		}
	case metricdata.Sum[float64]:
		for _, dp := range data.DataPoints {
			c.sum(m.Name, p, data.Temporality, data.IsMonotonic, dp.Attributes, dp.StartTime, dp.Time, dp.Value, now)
		}
	case metricdata.Sum[int64]:
		for _, dp := range data.DataPoints {
			c.sum(m.Name, p, data.Temporality, data.IsMonotonic, dp.Attributes, dp.StartTime, dp.Time, float64(dp.Value), now)
		}
	case metricdata.Histogram[float64]:
		for _, dp := range data.DataPoints {
			hp := histPoint{bounds: dp.Bounds, counts: dp.BucketCounts, count: dp.Count, sum: dp.Sum}
			c.histogram(m.Name, p, data.Temporality, dp.Attributes, hp, dp.StartTime, dp.Time, now)
		}
	case metricdata.Histogram[int64]:
		for _, dp := range data.DataPoints {
			hp := histPoint{bounds: dp.Bounds, counts: dp.BucketCounts, count: dp.Count, sum: float64(dp.Sum)}
			c.histogram(m.Name, p, data.Temporality, dp.Attributes, hp, dp.StartTime, dp.Time, now)
		}
	default:
		// Summaries and exponential histograms are not exported.
	}
}

// sum adds one sum data point to its records: the delta of a monotonic
// cumulative sum, the value of any other. The delta is computed once per
// series, whatever the number of dimension sets.
func (c *converter) sum(name string, p *plan, temp metricdata.Temporality, monotonic bool,
	attrs attribute.Set, start, t time.Time, v float64, now time.Time) {
	if !monotonic || temp != metricdata.CumulativeTemporality {
		// An up-down counter is a level; a delta sum already is a delta.
		k := kindGauge
		if temp == metricdata.DeltaTemporality && monotonic {
			k = kindCounter
		}
		c.scalar(name, p, k, attrs, t, v, true)
		return
	}
	delta, ok := c.deltas.counter(seriesKey{name, attrs.Equivalent()}, v, start, now)
	c.scalar(name, p, kindCounter, attrs, t, delta, ok)
}

// scalar adds value v of a gauge or counter data point to its record in
// each dimension set (ok: there is a value to send, not only a baseline);
// NaN and ±Inf are skipped. Counter deltas add up; gauges merge by the
// plan's aggregation.
func (c *converter) scalar(name string, p *plan, k kind, attrs attribute.Set, t time.Time, v float64, ok bool) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		c.skipped++
		return
	}
	for si, labels := range p.sets {
		r := c.record(name, si, labels, p, k, attrs)
		r.seeTime(t)
		if !ok {
			continue
		}
		switch {
		case !r.has || k != kindGauge:
			r.value += v // begin zeroed it
		case r.agg == aggMax:
			r.value = max(r.value, v)
		case r.agg == aggMin:
			r.value = min(r.value, v)
		default: // sum, average (divided at the end), none (dropped at the end)
			r.value += v
		}
		r.n++
		r.has = true
	}
}

// histogram adds one histogram data point to its record in each dimension
// set; the delta is computed once per series.
func (c *converter) histogram(name string, p *plan, temp metricdata.Temporality, attrs attribute.Set,
	hp histPoint, start, t, now time.Time) {
	ok := true
	if temp != metricdata.DeltaTemporality {
		if hp, ok = c.deltas.histogram(seriesKey{name, attrs.Equivalent()}, c.histBuf[:0], hp, start, now); ok {
			c.histBuf = hp.counts
		}
	}
	for si, labels := range p.sets {
		r := c.record(name, si, labels, p, kindHistogram, attrs)
		r.seeTime(t)
		if ok && !r.addHistogram(hp) {
			c.skipped++ // series with other bucket layouts cannot be summed
		}
	}
}

// addHistogram adds the delta p to r: its buckets if they are r's first
// this collection (the counts copied, the bounds aliased: they are only
// read), else summed into r's. It reports false, adding nothing, when the
// bucket layouts differ. The first call allocates r's histogram part.
func (r *record) addHistogram(p histPoint) bool {
	if r.hist == nil {
		r.hist = &histPoint{}
	}
	h := r.hist
	switch {
	case !r.merged:
		h.bounds, h.counts, r.merged = p.bounds, append(h.counts[:0], p.counts...), true
	case slices.Equal(h.bounds, p.bounds) && len(h.counts) == len(p.counts):
		for i, n := range p.counts {
			h.counts[i] += n
		}
	default:
		return false
	}
	h.count += p.count
	h.sum += p.sum
	r.has = true
	return true
}

// record finds or creates the record of name at the dimensions that attrs
// has for the allowed labels, and starts this collection for it when it is
// the first data point of the collection to touch it.
func (c *converter) record(name string, set int, labels []string, p *plan, k kind, attrs attribute.Set) *record {
	c.keyBuf = recordKey(c.keyBuf[:0], name, set, labels, attrs)
	r, ok := c.records[string(c.keyBuf)]
	switch {
	case !ok:
		r = &record{name: name, dims: c.internDims(labels, attrs)}
		c.records[string(c.keyBuf)] = r
	case r.gen == c.gen:
		return r
	}
	r.begin(c.gen, k, p.unit, p.agg)
	c.order = append(c.order, r)
	return r
}

// recordKey appends the key of name's record in dimension set number set
// at the dimensions of attrs: the name, the set's number, then each allowed
// label's dimension value (empty when the label is absent or empty: it has
// no dimension then), each length-prefixed so that no two records share a
// key (a separator byte could be in a value).
func recordKey(dst []byte, name string, set int, labels []string, attrs attribute.Set) []byte {
	dst = append(appendString(dst, name), byte(set))
	for _, l := range labels {
		dst = appendString(dst, dimValue(attrs, l))
	}
	return dst
}

// dimKey appends the key of a dimension slice to dst: the name and value of
// each allowed label that has a dimension, length-prefixed. The static
// dimensions, the same for every slice, are not part of it.
func dimKey(dst []byte, name, value string) []byte {
	return appendString(appendString(dst, name), value)
}

// appendString appends s to dst, prefixed with its length.
func appendString(dst []byte, s string) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(s))), s...)
}

// dimValue returns the dimension value of label l in attrs: its value,
// truncated to what CloudWatch accepts, or "" when it has none.
func dimValue(attrs attribute.Set, l string) string {
	v, ok := attrs.Value(attribute.Key(l))
	if !ok {
		return ""
	}
	return truncate(v.Emit(), 1024)
}

// internDims returns the shared dimension slice of the allowed labels of
// attrs, creating it for the first record that uses it, and counts the
// caller as a user (releaseDims ends that).
func (c *converter) internDims(labels []string, attrs attribute.Set) []types.Dimension {
	key := c.dimBuf[:0]
	for _, l := range labels {
		if v := dimValue(attrs, l); v != "" {
			key = dimKey(key, l, v)
		}
	}
	c.dimBuf = key
	ds, ok := c.dimSets[string(key)]
	if !ok {
		ds = &dimSet{dims: c.newDims(labels, attrs)}
		c.dimSets[string(key)] = ds
	}
	ds.refs++
	return ds.dims
}

// newDims builds the dimension slice of the allowed labels of attrs: the
// static dimensions, then each label that has a value. Its capacity is its
// length, so an append by a reader copies rather than writes to it.
func (c *converter) newDims(labels []string, attrs attribute.Set) []types.Dimension {
	dims := append(make([]types.Dimension, 0, len(c.static)+len(labels)), c.static...)
	for _, l := range labels {
		if v := dimValue(attrs, l); v != "" {
			dims = append(dims, types.Dimension{Name: c.labelName(l), Value: ptr(v)})
		}
	}
	return slices.Clip(dims)
}

// labelName returns the shared pointer to label name l (label names come
// from the configuration: there are few).
func (c *converter) labelName(l string) *string {
	p, ok := c.names[l]
	if !ok {
		p = ptr(l)
		c.names[l] = p
	}
	return p
}

// releaseDims ends a record's use of its dimension slice, forgetting the
// slice when no record uses it any more. The slice itself stays valid for
// whoever still holds it (buffered datums).
func (c *converter) releaseDims(dims []types.Dimension) {
	key := c.dimBuf[:0]
	for _, d := range dims[len(c.static):] {
		key = dimKey(key, *d.Name, *d.Value)
	}
	c.dimBuf = key
	ds, ok := c.dimSets[string(key)]
	if !ok {
		return
	}
	if ds.refs--; ds.refs <= 0 {
		delete(c.dimSets, string(key))
	}
}

// truncate returns s cut to at most n bytes, without a partial UTF-8
// sequence at the end.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// shrinkMin is the least peak size at which a map is rebuilt smaller.
const shrinkMin = 1024

// mapPeak is the most entries a map held since it was made.
type mapPeak int

// see records that the map holds n entries.
func (p *mapPeak) see(n int) { *p = max(*p, mapPeak(n)) }

// shrink returns m, or a copy of m sized for its entries when it holds less
// than a quarter of its peak p (of at least shrinkMin). Go maps keep the
// table of their largest size when entries are deleted: without this, a
// burst of series would hold its memory for good.
func shrink[K comparable, V any](m map[K]V, p *mapPeak) map[K]V {
	if *p < shrinkMin || len(m) >= int(*p)/4 {
		return m
	}
	*p = mapPeak(len(m))
	out := make(map[K]V, len(m))
	maps.Copy(out, m)
	return out
}
