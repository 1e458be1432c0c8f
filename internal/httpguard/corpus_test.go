package httpguard_test

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voicewatch/voicewatch/internal/golden"
	"github.com/voicewatch/voicewatch/internal/httpguard"
	"github.com/voicewatch/voicewatch/internal/httpguard/httpguardtest"
)

// corpusClassifiers are the ways the corpus is classified, side by side:
// the media core's guard (signatures, User-Agent and its routes), a log
// classifier that knows the User-Agent but not the routes, and one that
// sees the method and target only (a log format without User-Agent).
func corpusClassifiers(tb testing.TB, c httpguardtest.Corpus) ([]string, []func(httpguardtest.Request) string) {
	routes, err := httpguard.ParseRoutes(c.Routes)
	if err != nil {
		tb.Fatal(err)
	}
	guard := httpguard.NewClassifier(routes)
	noRoutes := httpguard.NewClassifier(nil)
	return []string{"guard", "no routes", "target only"}, []func(httpguardtest.Request) string{
		func(r httpguardtest.Request) string {
			return string(guard.Classify(r.Method, r.Target, r.UserAgent))
		},
		func(r httpguardtest.Request) string {
			return string(noRoutes.Classify(r.Method, r.Target, r.UserAgent))
		},
		func(r httpguardtest.Request) string { return string(httpguard.Classify(r.Method, r.Target)) },
	}
}

// TestCorpusLabels: the guard reports exactly the labelled pattern for
// every request of the corpus, and nothing for legitimate traffic.
func TestCorpusLabels(t *testing.T) {
	c := httpguardtest.Load(t)
	if n := httpguardtest.ScannerFamilies(c); n < 30 {
		t.Fatalf("corpus has %d scanner families, want at least 30", n)
	}
	_, cls := corpusClassifiers(t, c)
	bad := 0
	for _, r := range c.Requests {
		want := r.Want
		if want == httpguardtest.Legitimate {
			want = ""
		}
		if got := cls[0](r); got != want {
			bad++
			t.Errorf("%s: %s %s (UA %q) = %q, want %q", r.Family, r.Method, r.Target, r.UserAgent, got, want)
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d requests misclassified", bad, len(c.Requests))
	}
}

// TestCorpusTargets checks the targets on the corpus: recall at
// least 0.99 and no false positive for the guard, and no false positive
// for the classifiers that know less.
func TestCorpusTargets(t *testing.T) {
	c := httpguardtest.Load(t)
	names, cls := corpusClassifiers(t, c)
	for i, name := range names {
		_, total := httpguardtest.Evaluate(c, cls[i])
		if total.FalsePositives != 0 {
			t.Errorf("%s: %d false positives", name, total.FalsePositives)
		}
		if i == 0 && total.Recall() < 0.99 {
			t.Errorf("%s: recall %.3f, want >= 0.99", name, total.Recall())
		}
	}
}

// TestCorpusReportGolden keeps testdata/corpus-report.md, the per-family
// precision and recall quoted in docs/benchmarks.md, in step with the
// rules (go test -run TestCorpusReportGolden -update).
func TestCorpusReportGolden(t *testing.T) {
	c := httpguardtest.Load(t)
	names, cls := corpusClassifiers(t, c)
	var scores [][]httpguardtest.Score
	var totals []httpguardtest.Score
	for i := range names {
		f, total := httpguardtest.Evaluate(c, cls[i])
		scores, totals = append(scores, f), append(totals, total)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Corpus: %d requests, %d scanner families (internal/httpguard/testdata/requests.tsv).\n\n",
		len(c.Requests), httpguardtest.ScannerFamilies(c))
	b.WriteString(httpguardtest.Markdown(names, scores, totals))
	fmt.Fprintf(&b, "\nExact pattern (guard): %d of %d scanner requests.\n", totals[0].Exact, totals[0].Scanner)
	golden.Check(t, filepath.Join("testdata", "corpus-report.md"), []byte(b.String()), flag.Lookup("update").Value.String() == "true")
}
