package cloudwatch

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

type kind uint8

const (
	kindGauge kind = iota
	kindCounter
	kindHistogram
)

// record is one metric at one dimension set after delta computation and
// aggregation of the series that collapse onto it.
type record struct {
	name string
	// dims are the static dimensions then the allowed labels, in order.
	dims []types.Dimension
	kind kind
	unit types.StandardUnit
	t    time.Time
	has  bool // there is something to send (false: baselines only)

	value float64 // gauge value or counter delta

	bounds []float64 // histogram: delta bucket counts, count, sum
	counts []uint64
	count  uint64
	sum    float64
}

// converter turns collected metrics into records. Not safe for concurrent
// use: the exporter serialises calls.
type converter struct {
	cfg     *Config
	static  []types.Dimension
	deltas  *deltas
	records map[string]*record
	order   []*record
	keyBuf  []byte
	skipped int // data points that cannot be represented
}

func newConverter(cfg *Config) *converter {
	c := &converter{cfg: cfg, deltas: newDeltas(cfg.SeriesTTL), records: map[string]*record{}}
	for _, name := range sortedKeys(cfg.StaticDimensions) {
		c.static = append(c.static, types.Dimension{Name: ptr(name), Value: ptr(cfg.StaticDimensions[name])})
	}
	return c
}

func ptr[T any](v T) *T { return &v }

// convert computes the records of one collection, in first-seen order.
func (c *converter) convert(rm *metricdata.ResourceMetrics, now time.Time) []*record {
	clear(c.records)
	c.order = c.order[:0]
	c.skipped = 0
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			c.metric(m, now)
		}
	}
	c.deltas.endCollection(now)
	for _, r := range c.order {
		if r.has && !r.finite() {
			// CloudWatch refuses NaN and ±Inf: a whole PutMetricData
			// request would fail, an EMF line would not parse.
			r.has = false
			c.skipped++
		}
	}
	return c.order
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
	for _, b := range r.bounds {
		if math.IsNaN(b) || math.IsInf(b, -1) {
			return false
		}
	}
	return true
}

func (c *converter) labelsFor(name string) []string {
	if l, ok := c.cfg.Dimensions.Metrics[name]; ok {
		return l
	}
	return c.cfg.Dimensions.Default
}

func (c *converter) metric(m metricdata.Metrics, now time.Time) {
	labels := c.labelsFor(m.Name)
	unit := unitFor(m.Name)
	switch data := m.Data.(type) {
	case metricdata.Gauge[float64]:
		for _, dp := range data.DataPoints {
			c.scalar(m.Name, labels, unit, kindGauge, dp.Attributes, dp.Time, dp.Value, true)
		}
	case metricdata.Gauge[int64]:
		for _, dp := range data.DataPoints {
			c.scalar(m.Name, labels, unit, kindGauge, dp.Attributes, dp.Time, float64(dp.Value), true)
		}
	case metricdata.Sum[float64]:
		for _, dp := range data.DataPoints {
			c.sum(m.Name, labels, unit, data.Temporality, data.IsMonotonic, dp.Attributes, dp.StartTime, dp.Time, dp.Value, now)
		}
	case metricdata.Sum[int64]:
		for _, dp := range data.DataPoints {
			c.sum(m.Name, labels, unit, data.Temporality, data.IsMonotonic, dp.Attributes, dp.StartTime, dp.Time, float64(dp.Value), now)
		}
	case metricdata.Histogram[float64]:
		for _, dp := range data.DataPoints {
			c.histogram(m.Name, labels, unit, data.Temporality, dp.Attributes, dp.Bounds, dp.BucketCounts, dp.Count, dp.Sum, dp.StartTime, dp.Time, now)
		}
	case metricdata.Histogram[int64]:
		for _, dp := range data.DataPoints {
			c.histogram(m.Name, labels, unit, data.Temporality, dp.Attributes, dp.Bounds, dp.BucketCounts, dp.Count, float64(dp.Sum), dp.StartTime, dp.Time, now)
		}
	default:
		// Summaries and exponential histograms are not exported.
	}
}

func (c *converter) sum(name string, labels []string, unit types.StandardUnit, temp metricdata.Temporality, monotonic bool,
	attrs attribute.Set, start, t time.Time, v float64, now time.Time) {
	if !monotonic || temp != metricdata.CumulativeTemporality {
		// An up-down counter is a level; a delta sum already is a delta.
		k := kindGauge
		if temp == metricdata.DeltaTemporality && monotonic {
			k = kindCounter
		}
		c.scalar(name, labels, unit, k, attrs, t, v, true)
		return
	}
	delta, ok := c.deltas.counter(seriesKey{name, attrs.Equivalent()}, v, start, now)
	c.scalar(name, labels, unit, kindCounter, attrs, t, delta, ok)
}

func (c *converter) scalar(name string, labels []string, unit types.StandardUnit, k kind, attrs attribute.Set, t time.Time, v float64, ok bool) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		c.skipped++
		return
	}
	r := c.record(name, labels, unit, k, attrs)
	if t.After(r.t) {
		r.t = t
	}
	if ok {
		r.value += v
		r.has = true
	}
}

func (c *converter) histogram(name string, labels []string, unit types.StandardUnit, temp metricdata.Temporality, attrs attribute.Set,
	bounds []float64, counts []uint64, count uint64, sum float64, start, t, now time.Time) {
	var ok bool
	if temp == metricdata.DeltaTemporality {
		counts, ok = slices.Clone(counts), true
	} else {
		counts, count, sum, ok = c.deltas.histogram(seriesKey{name, attrs.Equivalent()}, bounds, counts, count, sum, start, now)
	}
	r := c.record(name, labels, unit, kindHistogram, attrs)
	if t.After(r.t) {
		r.t = t
	}
	if !ok {
		return
	}
	switch {
	case r.counts == nil:
		r.bounds, r.counts = bounds, counts
	case slices.Equal(r.bounds, bounds):
		for i, n := range counts {
			r.counts[i] += n
		}
	default:
		c.skipped++ // series with other bucket layouts cannot be summed
		return
	}
	r.count += count
	r.sum += sum
	r.has = true
}

// record finds or creates the record of name at the dimensions that attrs
// has for the allowed labels.
func (c *converter) record(name string, labels []string, unit types.StandardUnit, k kind, attrs attribute.Set) *record {
	key := append(c.keyBuf[:0], name...)
	for _, l := range labels {
		v, _ := attrs.Value(attribute.Key(l))
		key = append(key, 0)
		key = append(key, v.Emit()...)
	}
	c.keyBuf = key
	if r, ok := c.records[string(key)]; ok {
		return r
	}
	r := &record{name: name, kind: k, unit: unit}
	r.dims = append(make([]types.Dimension, 0, len(c.static)+len(labels)), c.static...)
	for _, l := range labels {
		if v, ok := attrs.Value(attribute.Key(l)); ok && v.Emit() != "" {
			r.dims = append(r.dims, types.Dimension{Name: ptr(l), Value: ptr(truncate(v.Emit(), 1024))})
		}
	}
	c.records[string(key)] = r
	c.order = append(c.order, r)
	return r
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
