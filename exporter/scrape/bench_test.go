package scrape

import (
	"fmt"
	"strings"
	"testing"
)

// body10k is a 10 000-series body like the sidecar benchmark's target: 40
// counters, 38 gauges and 2 histograms (8 buckets) × 100 values of id.
func body10k(step int) []byte {
	var b strings.Builder
	for c := range 40 {
		fmt.Fprintf(&b, "# HELP bench_counter_%02d_total A counter.\n# TYPE bench_counter_%02d_total counter\n", c, c)
		for id := range 100 {
			fmt.Fprintf(&b, "bench_counter_%02d_total{id=\"%d\"} %d\n", c, id, step*(c+id+1))
		}
	}
	for g := range 38 {
		fmt.Fprintf(&b, "# HELP bench_gauge_%02d A gauge.\n# TYPE bench_gauge_%02d gauge\n", g, g)
		for id := range 100 {
			fmt.Fprintf(&b, "bench_gauge_%02d{id=\"%d\"} %g\n", g, id, float64(step*id)/7)
		}
	}
	for h := range 2 {
		fmt.Fprintf(&b, "# HELP bench_histogram_%02d_seconds A histogram.\n# TYPE bench_histogram_%02d_seconds histogram\n", h, h)
		for id := range 100 {
			for i, le := range []string{"0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1", "2.5", "+Inf"} {
				fmt.Fprintf(&b, "bench_histogram_%02d_seconds_bucket{id=\"%d\",le=\"%s\"} %d\n", h, id, le, step*(i+1))
			}
			fmt.Fprintf(&b, "bench_histogram_%02d_seconds_sum{id=\"%d\"} %g\nbench_histogram_%02d_seconds_count{id=\"%d\"} %d\n", h, id, float64(step)*1.5, h, id, step*9)
		}
	}
	return []byte(b.String())
}

// BenchmarkParse10k: one op parses one scrape of 10k series. The baseline
// ("expfmt") is the text format's reference parser with the same
// relabelling, which Parse used before it had a cache; "first" is a
// Parser's first scrape (every series new); "cached" a later scrape whose
// values changed.
func BenchmarkParse10k(b *testing.B) {
	labels := map[string]string{"job": "bench"}
	bodies := [][]byte{body10k(1), body10k(2)}
	b.Run("expfmt", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, _, err := referenceParse(bodies[i%2], labels); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("first", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := NewParser(labels).Parse(bodies[0]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		p := NewParser(labels)
		if _, _, err := p.Parse(bodies[0]); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, _, err := p.Parse(bodies[i%2]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}
