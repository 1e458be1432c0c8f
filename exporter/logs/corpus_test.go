package logs

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// label renders a classified entry the way testdata/corpus/*.labels do.
func label(e *Entry) string {
	switch e.Class {
	case ClassScanner:
		return "scanner pattern=" + e.Pattern
	case ClassLegitimate:
		if k := e.ErrorKindOf(); k != "" {
			return "legitimate error=" + k
		}
		return "legitimate"
	}
	if e.Class == ClassHeader {
		return "header"
	}
	return "unparsable"
}

func readLines(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCorpusMatchesLabels classifies every corpus line with its own format
// and with auto-detection; each must match its label exactly.
func TestCorpusMatchesLabels(t *testing.T) {
	tests := []struct {
		file   string
		format string
	}{
		{file: "voicebot", format: "rules:python-voicebot"},
		{file: "voicebot", format: "rules:rules/python-voicebot.yaml"},
		{file: "voicebot", format: "auto"},
		{file: "alb", format: "alb"},
		{file: "alb", format: "auto"},
		{file: "access", format: "clf"},
		{file: "access", format: "auto"},
		{file: "media", format: "json"},
		{file: "media", format: "auto"},
		{file: "cloudfront", format: "cloudfront"},
		{file: "cloudfront", format: "auto"},
		{file: "waf", format: "waf"},
		{file: "waf", format: "auto"},
	}
	for _, tc := range tests {
		t.Run(tc.file+"/"+tc.format, func(t *testing.T) {
			p, err := ParseFormat(tc.format)
			if err != nil {
				t.Fatal(err)
			}
			c := NewClassifier(p, nil, nil)
			lines := readLines(t, filepath.Join("testdata", "corpus", tc.file+".log"))
			labels := readLines(t, filepath.Join("testdata", "corpus", tc.file+".labels"))
			if len(lines) != len(labels) {
				t.Fatalf("%d lines but %d labels", len(lines), len(labels))
			}
			var e Entry
			bad := 0
			for i, line := range lines {
				c.Classify([]byte(line), &e)
				if got := label(&e); got != labels[i] {
					bad++
					if bad <= 10 {
						t.Errorf("line %d: got %q, want %q\n\t%s", i+1, got, labels[i], line)
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d lines misclassified", bad, len(lines))
			}
		})
	}
}

// TestScannerClientIsTheRealClient: behind the ALB, scanner lines are
// attributed to the address in X-Forwarded-For / the ALB client field,
// never to the balancer's own 10.0.x.x address.
func TestScannerClientIsTheRealClient(t *testing.T) {
	for _, file := range []string{"voicebot", "alb", "access", "media"} {
		t.Run(file, func(t *testing.T) {
			p, err := ParseFormat("auto")
			if err != nil {
				t.Fatal(err)
			}
			c := NewClassifier(p, nil, nil)
			var e Entry
			n := 0
			for _, line := range readLines(t, filepath.Join("testdata", "corpus", file+".log")) {
				if c.Classify([]byte(line), &e) != ClassScanner {
					continue
				}
				n++
				ip := e.ClientIP.String()
				if !strings.HasPrefix(ip, "198.51.100.") && !strings.HasPrefix(ip, "203.0.113.") {
					t.Fatalf("scanner attributed to %s, want the real client: %s", ip, line)
				}
			}
			if n == 0 {
				t.Fatal("no scanner lines")
			}
		})
	}
}
