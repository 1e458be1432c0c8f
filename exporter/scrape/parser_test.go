package scrape

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"google.golang.org/protobuf/proto"
)

// referenceParse is what Parse did before it had a cache: the text format's
// reference parser (expfmt.TextParser), then the same relabelling and
// duplicate removal. Parser must give the same families.
func referenceParse(body []byte, labels map[string]string) ([]*dto.MetricFamily, int, error) {
	body = trimEOF(body)
	tp := expfmt.NewTextParser(model.UTF8Validation)
	byName, err := tp.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	var extra []*dto.LabelPair
	for _, k := range sortedNames(labels) {
		extra = append(extra, &dto.LabelPair{Name: proto.String(k), Value: proto.String(labels[k])})
	}
	var out []*dto.MetricFamily
	samples := 0
	for _, mf := range byName {
		seen := map[string]bool{}
		kept := mf.Metric[:0]
		for _, m := range mf.Metric {
			m.Label = relabel(m.Label, extra)
			var key strings.Builder
			for _, l := range m.Label {
				fmt.Fprintf(&key, "%s\x00%s\x00", l.GetName(), l.GetValue())
			}
			if seen[key.String()] {
				continue
			}
			seen[key.String()] = true
			kept = append(kept, m)
			samples += sampleCount(m)
		}
		if mf.Metric = kept; len(kept) > 0 {
			out = append(out, mf)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].GetName() < out[j].GetName() })
	return out, samples, nil
}

// text renders families in the text format, for comparisons and messages.
func text(t testing.TB, fams []*dto.MetricFamily) string {
	t.Helper()
	var b strings.Builder
	for _, mf := range fams {
		if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
			t.Fatalf("render %s: %v", mf.GetName(), err)
		}
	}
	return b.String()
}

// sameFamilies compares families as protobuf messages (NaN equals NaN).
func sameFamilies(a, b []*dto.MetricFamily) bool {
	return slices.EqualFunc(a, b, func(x, y *dto.MetricFamily) bool { return proto.Equal(x, y) })
}

// registryBody is what a client_golang instrumented process serves: every
// metric type, label values that need escaping, several series each.
func registryBody(t testing.TB, step int) []byte {
	t.Helper()
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "calls_total", Help: "Calls with \"quotes\" and a \\ backslash\nand a newline."}, []string{"path", "code"})
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "sessions", Help: "Sessions."}, []string{"region"})
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "latency_seconds", Help: "Latency.", Buckets: []float64{0.01, 0.1, 1, 10}}, []string{"phase"})
	s := prometheus.NewSummaryVec(prometheus.SummaryOpts{Name: "size_bytes", Help: "Sizes.", Objectives: map[float64]float64{0.5: 0.05, 0.99: 0.001}}, []string{"kind"})
	u := prometheus.NewUntypedFunc(prometheus.UntypedOpts{Name: "legacy_value", Help: "Untyped."}, func() float64 { return float64(step) / 3 })
	reg.MustRegister(c, g, h, s, u)
	for i := range 20 {
		c.WithLabelValues(fmt.Sprintf("/p/%d", i), "200").Add(float64(i*step + 1))
		c.WithLabelValues("/q\"uo\\te\n", "500").Add(float64(step))
		g.WithLabelValues(fmt.Sprintf("région-%d", i)).Set(float64(-i) * 1.5)
		h.WithLabelValues(fmt.Sprintf("phase%d", i%4)).Observe(float64(i*step) / 100)
		s.WithLabelValues(fmt.Sprintf("k%d", i%3)).Observe(float64(i + step))
	}
	g.WithLabelValues("nan").Set(math.NaN())
	g.WithLabelValues("inf").Set(math.Inf(-1))
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, mf := range fams {
		if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// handBodies are exposition details client libraries do not produce.
var handBodies = []string{
	// no TYPE or HELP, comments, blank lines, timestamps, special values
	"# a comment\n\nplain 1\nplain{a=\"b\"} +Inf 1700000000000\nother{x=\"1\"} NaN\n# another\nneg -3.5e-3 12\n",
	// a family before and after another, HELP after TYPE, HELP escapes
	"# TYPE a counter\na 1\n# TYPE b gauge\nb 2\n# HELP a help \\\\ with \\n escapes\na{x=\"y\"} 3\n",
	// histogram lines without TYPE are their own untyped families
	"h_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 2\n",
	// histogram with float counts, buckets of two groups interleaved, le first
	"# TYPE h histogram\nh_bucket{le=\"0.5\",g=\"a\"} 1\nh_bucket{g=\"b\",le=\"0.5\"} 2.5\nh_bucket{le=\"+Inf\",g=\"a\"} 3\nh_bucket{le=\"+Inf\",g=\"b\"} 4\nh_sum{g=\"a\"} 1.5\nh_count{g=\"a\"} 3\nh_sum{g=\"b\"} 2\nh_count{g=\"b\"} 4.5\n",
	// summary with a quantile on _sum (ignored label) and duplicate series
	"# TYPE s summary\ns{quantile=\"0.5\"} 1\ns{quantile=\"0.9\"} 2\ns_sum 10\ns_count 4\nd 1\nd 2\nd{a=\"1\"} 3\nd{ a=\"1\" } 4\n",
	// exported_ clash, OpenMetrics EOF
	"x{job=\"inner\",exported_job=\"old\"} 1\n# EOF\n",
	// a histogram family whose _sum family also exists by name
	"# TYPE k_sum gauge\nk_sum 1\n# TYPE k histogram\nk_sum 2\nk_count 1\nk_bucket{le=\"+Inf\"} 1\n",
}

// TestParserMatchesReference: Parser gives the reference parser's
// families, on a first scrape and on scrapes served from its cache.
func TestParserMatchesReference(t *testing.T) {
	bodies := map[string][][]byte{"registry": {registryBody(t, 1), registryBody(t, 2), registryBody(t, 7)}}
	for i, b := range handBodies {
		bodies[fmt.Sprintf("hand%d", i)] = [][]byte{[]byte(b), []byte(b)}
	}
	for name, scrapes := range bodies {
		for _, labels := range []map[string]string{nil, {"job": "voice", "instance": "a:1"}} {
			t.Run(fmt.Sprintf("%s/%d_labels", name, len(labels)), func(t *testing.T) {
				p := NewParser(labels)
				for i, body := range scrapes {
					want, wantN, err := referenceParse(body, labels)
					if err != nil {
						t.Fatalf("reference parse of scrape %d: %v", i, err)
					}
					got, n, err := p.Parse(body)
					if err != nil {
						t.Fatalf("scrape %d: %v", i, err)
					}
					if !sameFamilies(got, want) {
						t.Fatalf("scrape %d differs from the reference:\ngot\n%s\nwant\n%s\n%v\n%v", i, text(t, got), text(t, want), got, want)
					}
					if n != wantN {
						t.Errorf("scrape %d: %d samples, want %d", i, n, wantN)
					}
				}
			})
		}
	}
}

// TestParserCache: values change between scrapes, series come and go, a
// family changes type, and families returned earlier never change.
func TestParserCache(t *testing.T) {
	p := NewParser(map[string]string{"job": "j"})
	first, _, err := p.Parse([]byte("# TYPE a counter\na{i=\"1\"} 1\na{i=\"2\"} 2\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 0.5\nh_count 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	firstText := text(t, first)
	if len(p.cache) != 6 {
		t.Errorf("%d cached series after 6 lines, want 6", len(p.cache))
	}
	second, n, err := p.Parse([]byte("# TYPE a counter\na{i=\"1\"} 10\na{i=\"3\"} 30\n# TYPE h untyped\nh_bucket{le=\"1\"} 5\nh_sum 7\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := "# TYPE a counter\na{i=\"1\",job=\"j\"} 10\na{i=\"3\",job=\"j\"} 30\n# TYPE h_bucket untyped\nh_bucket{job=\"j\",le=\"1\"} 5\n# TYPE h_sum untyped\nh_sum{job=\"j\"} 7\n"
	if got := text(t, second); got != want {
		t.Errorf("second scrape:\n%s\nwant\n%s", got, want)
	}
	if n != 4 {
		t.Errorf("%d samples, want 4", n)
	}
	if got := text(t, first); got != firstText {
		t.Errorf("the first scrape's families changed:\n%s\nwas\n%s", got, firstText)
	}
	if len(p.cache) != 4 {
		t.Errorf("%d cached series after a scrape of 4, want 4 (the others forgotten)", len(p.cache))
	}
	if _, _, err := p.Parse([]byte("# TYPE a gauge\n# TYPE a counter\n")); err == nil {
		t.Error("a second TYPE line was accepted")
	}
	// A failed scrape leaves the parser usable.
	third, _, err := p.Parse([]byte("a 1\n"))
	if err != nil || text(t, third) != "# TYPE a untyped\na{job=\"j\"} 1\n" {
		t.Errorf("after a failed scrape: %q, %v", text(t, third), err)
	}
}

// TestParserErrors: what the reference parser rejects, Parser rejects.
func TestParserErrors(t *testing.T) {
	for _, body := range []string{
		"this is { not metrics\n",
		"# TYPE g gauge\n# TYPE g counter\ng 1\n",
		"g 1\n# TYPE g gauge\n",
		"# HELP g a\n# HELP g b\n",
		"# TYPE g bogus\n",
		"g{a=\"1\",a=\"2\"} 1\n",
		"g one\n",
		"g 1 notatime\n",
		"# TYPE h histogram\nh_bucket{le=\"x\"} 1\n",
		"# TYPE h histogram\nh_count -1.5\n",
		"# TYPE h histogram\nh_bucket{le=\"1\"} -0.5\n",
		"# TYPE s summary\ns{quantile=\"high\"} 1\n",
		"g{a=\"unterminated} 1\n",
	} {
		if _, _, err := referenceParse([]byte(body), nil); err == nil {
			t.Errorf("the reference parser accepts %q: not an error case", body)
			continue
		}
		if _, _, err := NewParser(nil).Parse([]byte(body)); err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", body)
		}
	}
	// Prometheus' lexer would end the body at a NUL byte and lose the
	// rest silently; expfmt would not. Parser refuses the body.
	if _, _, err := NewParser(nil).Parse([]byte("# \x00\nA 0\n")); !errors.Is(err, ErrParse) {
		t.Errorf("a body with a NUL byte: err = %v, want ErrParse", err)
	}
}

// FuzzParserCache: parsing b after a with one Parser gives what a new
// Parser gives for b alone (the cache never changes a result), and a
// body parsed twice gives equal families.
func FuzzParserCache(f *testing.F) {
	for _, b := range handBodies {
		f.Add([]byte(b), []byte("a 1\n"))
	}
	f.Add([]byte("# TYPE h histogram\nh_bucket{le=\"1\"} 1\n"), []byte("# TYPE h summary\nh_bucket{le=\"1\"} 1\nh{quantile=\"1\"} 2\n"))
	f.Add([]byte("x{a=\"1\"} 1\n"), []byte("x{a=\"1\"} 2\n# TYPE x_bucket gauge\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		cached := NewParser(map[string]string{"job": "fuzz"})
		_, _, _ = cached.Parse(slices.Clone(a))
		got, gotN, gotErr := cached.Parse(slices.Clone(b))
		want, wantN, wantErr := NewParser(map[string]string{"job": "fuzz"}).Parse(slices.Clone(b))
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("after %q: error %v, alone: %v", a, gotErr, wantErr)
		}
		if gotErr != nil {
			return
		}
		if !sameFamilies(got, want) || gotN != wantN {
			t.Fatalf("after %q, %q parses to\n%v\nalone to\n%v", a, b, got, want)
		}
		again, _, err := cached.Parse(slices.Clone(b))
		if err != nil || !sameFamilies(again, want) {
			t.Fatalf("%q parsed again: %v, %v", b, again, err)
		}
	})
}

// FuzzParserMatchesReference: what both Parser and the reference parser
// accept, they read the same. Parser is built on Prometheus' own lexer,
// which is stricter about comments than expfmt: it rejects negative
// timestamps and the OpenMetrics-only gaugehistogram type, and reads
// "#TYPE" (no space) as a comment, so such bodies are not compared.
func FuzzParserMatchesReference(f *testing.F) {
	for _, b := range handBodies {
		f.Add([]byte(b))
	}
	f.Add(registryBody(f, 3))
	f.Fuzz(func(t *testing.T, body []byte) {
		if !canonicalComments(body) {
			return
		}
		want, wantN, err := referenceParse(slices.Clone(body), map[string]string{"job": "fuzz"})
		if err != nil {
			return
		}
		got, n, err := NewParser(map[string]string{"job": "fuzz"}).Parse(slices.Clone(body))
		if err != nil {
			return
		}
		// HELP text is not compared: the two differ at its edges (an empty
		// HELP, leading blanks, \" escapes). TestParserMatchesReference
		// compares the HELP client libraries write.
		for _, mf := range slices.Concat(got, want) {
			mf.Help = nil
		}
		if !sameFamilies(got, want) || n != wantN {
			t.Fatalf("%q:\ngot  %v\nwant %v", body, got, want)
		}
	})
}

// canonicalComments reports whether every comment line of body is "# "
// followed by text, and HELP and TYPE are spelled as the format has them.
func canonicalComments(body []byte) bool {
	for line := range bytes.Lines(body) {
		line = bytes.TrimLeft(line, " \t")
		if len(line) == 0 || line[0] != '#' {
			continue
		}
		if !bytes.HasPrefix(line, []byte("# ")) {
			return false
		}
		f := bytes.Fields(line[2:])
		if len(f) == 0 {
			continue
		}
		word := string(f[0])
		if word != "HELP" && word != "TYPE" && (strings.EqualFold(word, "help") || strings.EqualFold(word, "type")) {
			return false
		}
		if word == "TYPE" && len(f) > 2 && string(f[2]) != strings.ToLower(string(f[2])) {
			return false
		}
	}
	return true
}

// relabel is the reference relabelling, Prometheus' (scrape's
// resolveConflictingExposedLabels): extra added; a clashing scraped label
// renamed exported_<name>, with more exported_ prefixes while that is taken.
func relabel(ls, extra []*dto.LabelPair) []*dto.LabelPair {
	has := func(set []*dto.LabelPair, name string) bool {
		return slices.ContainsFunc(set, func(l *dto.LabelPair) bool { return l.GetName() == name })
	}
	var kept, clashing []*dto.LabelPair
	for _, l := range ls {
		if has(extra, l.GetName()) {
			clashing = append(clashing, l)
		} else {
			kept = append(kept, l)
		}
	}
	slices.SortStableFunc(clashing, func(a, b *dto.LabelPair) int { return len(a.GetName()) - len(b.GetName()) })
	for _, l := range clashing {
		name := l.GetName()
		for {
			name = "exported_" + name
			if !has(kept, name) && !has(extra, name) {
				break
			}
		}
		kept = append(kept, &dto.LabelPair{Name: proto.String(name), Value: l.Value})
	}
	kept = append(kept, extra...)
	slices.SortFunc(kept, func(a, b *dto.LabelPair) int { return strings.Compare(a.GetName(), b.GetName()) })
	return kept
}
