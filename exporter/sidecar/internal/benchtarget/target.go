// Package benchtarget is a synthetic Prometheus scrape target of a fixed
// number of series whose values advance on every scrape, for the sidecar
// benchmarks (the datums-per-request benchmark in exporter/sidecar and
// scripts/bench-otelcol.sh, which runs cmd/benchtarget). It is test
// infrastructure: nothing in the agent imports it.
//
// Scrape k (1, 2, ...) serves, for every metric and every id label value
// i in [0, SeriesPerMetric):
//
//	bench_counter_MM_total{id="i"}          k*(1+(MM+i)%7)
//	bench_gauge_MM{id="i"}                  (k*(MM+1)+i)%1000
//	bench_histogram_MM_seconds{id="i"}      k observations at each bucket's
//	                                        upper bound and k at 5 s (+Inf)
//
// so every counter and histogram has a non-zero delta between two scrapes
// and every histogram bucket a known count.
package benchtarget

import (
	"bufio"
	"cmp"
	"net/http"
	"strconv"
	"sync/atomic"
)

// Config sizes the target. The zero value of a field means its default;
// the defaults give 10 000 series (see Config.Series).
type Config struct {
	// Counters is the number of counter metrics. Default 40.
	Counters int
	// Gauges is the number of gauge metrics. Default 38.
	Gauges int
	// Histograms is the number of histogram metrics. Default 2.
	Histograms int
	// SeriesPerMetric is the number of id label values of each metric.
	// Default 100.
	SeriesPerMetric int
	// NoHistograms serves no histograms whatever Histograms says (Histograms
	// 0 means the default).
	NoHistograms bool
}

// Defaults.
const (
	DefaultCounters        = 40
	DefaultGauges          = 38
	DefaultHistograms      = 2
	DefaultSeriesPerMetric = 100
)

// Bounds are the finite bucket upper bounds of every histogram, in seconds.
var Bounds = []float64{0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2.5}

// InfObservation is the value observed above the last bound on every scrape.
const InfObservation = 5.0

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	c.Counters = cmp.Or(c.Counters, DefaultCounters)
	c.Gauges = cmp.Or(c.Gauges, DefaultGauges)
	c.Histograms = cmp.Or(c.Histograms, DefaultHistograms)
	if c.NoHistograms {
		c.Histograms = 0
	}
	c.SeriesPerMetric = cmp.Or(c.SeriesPerMetric, DefaultSeriesPerMetric)
	return c
}

// Series is the number of Prometheus series one scrape returns (a
// histogram series counts its buckets, +Inf, _sum and _count).
func (c Config) Series() int {
	c = c.WithDefaults()
	return c.SeriesPerMetric * (c.Counters + c.Gauges + c.Histograms*(len(Bounds)+3))
}

// Target serves the synthetic series; it is an http.Handler.
type Target struct {
	cfg     Config
	scrapes atomic.Uint64
}

var _ http.Handler = (*Target)(nil)

// New returns a target sized by cfg (defaults applied).
func New(cfg Config) *Target { return &Target{cfg: cfg.WithDefaults()} }

// Scrapes returns how many scrapes were served.
func (t *Target) Scrapes() uint64 { return t.scrapes.Load() }

// ServeHTTP writes the next scrape in the Prometheus text format 0.0.4.
func (t *Target) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	k := t.scrapes.Add(1)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	bw := bufio.NewWriterSize(w, 64<<10)
	t.write(bw, k)
	_ = bw.Flush() // a client gone away is not the target's problem
}

// write writes scrape k.
func (t *Target) write(w *bufio.Writer, k uint64) {
	c := t.cfg
	var b []byte
	line := func(name, extra string, i int, v float64) {
		b = append(b[:0], name...)
		b = append(b, `{id="`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, '"')
		b = append(b, extra...)
		b = append(b, "} "...)
		b = strconv.AppendFloat(b, v, 'g', -1, 64)
		b = append(b, '\n')
		_, _ = w.Write(b)
	}
	header := func(name, typ string) {
		_, _ = w.WriteString("# HELP " + name + " Synthetic benchmark series.\n# TYPE " + name + " " + typ + "\n")
	}
	for m := range c.Counters {
		name := "bench_counter_" + pad(m) + "_total"
		header(name, "counter")
		for i := range c.SeriesPerMetric {
			line(name, "", i, float64(k*uint64(1+(m+i)%7)))
		}
	}
	for m := range c.Gauges {
		name := "bench_gauge_" + pad(m)
		header(name, "gauge")
		for i := range c.SeriesPerMetric {
			line(name, "", i, float64((k*uint64(m+1)+uint64(i))%1000))
		}
	}
	var boundSum float64
	for _, ub := range Bounds {
		boundSum += ub
	}
	for m := range c.Histograms {
		name := "bench_histogram_" + pad(m) + "_seconds"
		header(name, "histogram")
		for i := range c.SeriesPerMetric {
			for j, ub := range Bounds {
				line(name+"_bucket", `,le="`+strconv.FormatFloat(ub, 'g', -1, 64)+`"`, i, float64(k*uint64(j+1)))
			}
			total := float64(k * uint64(len(Bounds)+1))
			line(name+"_bucket", `,le="+Inf"`, i, total)
			line(name+"_sum", "", i, float64(k)*(boundSum+InfObservation))
			line(name+"_count", "", i, total)
		}
	}
}

func pad(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
