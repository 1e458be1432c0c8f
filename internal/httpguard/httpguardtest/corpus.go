// Package httpguardtest loads the labelled request corpus of
// internal/httpguard (testdata/requests.tsv) and scores a classifier on it,
// so the HTTP guard, the log classifier and the WAF rules are all measured
// on the same requests.
package httpguardtest

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// Legitimate is the label of a request no signature may match.
const Legitimate = "legitimate"

// Request is one labelled request of the corpus.
type Request struct {
	Family    string // a scanner family (e.g. log4shell-cve-2021-44228) or legit-*
	Want      string // the pattern the guard must report, or Legitimate
	Method    string
	Target    string // as on the wire, percent-encoded
	UserAgent string // "" when the corpus says "-"
}

// Corpus is the labelled corpus and the routes of the application it was
// taken from (the media core's).
type Corpus struct {
	Routes   []string
	Requests []Request
}

// Path returns the path of a corpus file of internal/httpguard/testdata:
// "requests.tsv" (the labelled corpus) or "holdout.tsv" (requests written
// after the signatures were frozen, never used to tune them).
func Path(name string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", name)
}

// Load reads the labelled corpus, requests.tsv; a malformed line fails tb.
func Load(tb testing.TB) Corpus {
	tb.Helper()
	return LoadFile(tb, "requests.tsv")
}

// LoadFile reads a corpus file of internal/httpguard/testdata.
func LoadFile(tb testing.TB, name string) Corpus {
	tb.Helper()
	f, err := os.Open(Path(name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var c Corpus
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if r, ok := strings.CutPrefix(line, "# routes:"); ok {
			c.Routes = strings.Fields(r)
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			tb.Fatalf("requests.tsv:%d: %d fields, want 5", n, len(f))
		}
		r := Request{Family: f[0], Want: f[1], Method: f[2], Target: f[3], UserAgent: f[4]}
		if r.UserAgent == "-" {
			r.UserAgent = ""
		}
		c.Requests = append(c.Requests, r)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if len(c.Routes) == 0 || len(c.Requests) == 0 {
		tb.Fatal("requests.tsv: no routes line or no requests")
	}
	return c
}

// Score is the detection result of one family (or of all of them).
type Score struct {
	Family   string
	Requests int
	// Scanner is the number of scanner requests (label not legitimate);
	// Detected how many of them were reported as any scanner pattern, and
	// Exact how many with the labelled pattern.
	Scanner, Detected, Exact int
	// FalsePositives are legitimate requests reported as scanner traffic.
	FalsePositives int
}

// Recall is Detected/Scanner (1 for a family without scanner requests).
func (s Score) Recall() float64 {
	if s.Scanner == 0 {
		return 1
	}
	return float64(s.Detected) / float64(s.Scanner)
}

// Precision is the share of requests reported as scanner that are scanner
// requests (1 when nothing was reported).
func (s Score) Precision() float64 {
	if s.Detected+s.FalsePositives == 0 {
		return 1
	}
	return float64(s.Detected) / float64(s.Detected+s.FalsePositives)
}

// Evaluate runs classify on every request (it returns the pattern, "" for
// legitimate) and scores each family, in file order, then the total.
func Evaluate(c Corpus, classify func(Request) string) (families []Score, total Score) {
	idx := map[string]int{}
	total.Family = "all"
	for _, r := range c.Requests {
		i, ok := idx[r.Family]
		if !ok {
			i = len(families)
			idx[r.Family] = i
			families = append(families, Score{Family: r.Family})
		}
		got := classify(r)
		for _, s := range []*Score{&families[i], &total} {
			s.Requests++
			if r.Want == Legitimate {
				if got != "" {
					s.FalsePositives++
				}
				continue
			}
			s.Scanner++
			if got != "" {
				s.Detected++
			}
			if got == r.Want {
				s.Exact++
			}
		}
	}
	return families, total
}

// ScannerFamilies counts the families with at least one scanner request.
func ScannerFamilies(c Corpus) int {
	var fams []string
	for _, r := range c.Requests {
		if r.Want != Legitimate && !slices.Contains(fams, r.Family) {
			fams = append(fams, r.Family)
		}
	}
	return len(fams)
}

// Markdown renders per-family scores of several classifiers side by side:
// recall and precision for each, named by columns.
func Markdown(columns []string, scores [][]Score, totals []Score) string {
	var b strings.Builder
	b.WriteString("| family | requests |")
	for _, c := range columns {
		fmt.Fprintf(&b, " %s recall | %s precision |", c, c)
	}
	b.WriteString("\n|---|---:|")
	for range columns {
		b.WriteString("---:|---:|")
	}
	b.WriteString("\n")
	row := func(get func(col int) Score) {
		s0 := get(0)
		fmt.Fprintf(&b, "| %s | %d |", s0.Family, s0.Requests)
		for col := range columns {
			s := get(col)
			fmt.Fprintf(&b, " %.2f | %.2f |", s.Recall(), s.Precision())
		}
		b.WriteString("\n")
	}
	for i := range scores[0] {
		row(func(col int) Score { return scores[col][i] })
	}
	row(func(col int) Score { return totals[col] })
	return b.String()
}
