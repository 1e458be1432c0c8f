package logs

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/voicewatch/voicewatch/exporter/logs/tail"
	"github.com/voicewatch/voicewatch/internal/httpguard"
)

// benchTarget is the size the corpus files are replicated to.
const benchTarget = 4 << 20

// benchFile writes the corpus file replicated to about benchTarget bytes.
func benchFile(b *testing.B, name string) (path string, size int64, lines int) {
	b.Helper()
	var src []byte
	for _, n := range strings.Split(name, "+") {
		data, err := os.ReadFile(corpus(n))
		if err != nil {
			b.Fatal(err)
		}
		src = append(src, data...)
	}
	data := bytes.Repeat(src, benchTarget/len(src)+1)
	path = filepath.Join(b.TempDir(), name+".log")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	return path, int64(len(data)), bytes.Count(data, []byte("\n"))
}

// scannerERE is httpguard's scanner signatures as one POSIX ERE, the way an
// operator would grep for them (`grep -E -i -c`).
func scannerERE() string {
	var alts []string
	for _, p := range httpguard.Patterns() {
		if re, ok := httpguard.EREs()[p]; ok {
			alts = append(alts, re)
		}
	}
	return strings.Join(alts, "|")
}

var benchFormats = []struct{ file, format string }{
	{"voicebot", "rules:python-voicebot"},
	{"alb", "alb"},
	{"access", "clf"},
	{"media", "json"},
	{"voicebot+alb+access+media", "auto"},
}

// BenchmarkClassify measures full classification (read, split, parse,
// classify) of each replicated corpus file, side by side with
// BenchmarkGrepBaseline over the same file.
func BenchmarkClassify(b *testing.B) {
	for _, bf := range benchFormats {
		b.Run(bf.file, func(b *testing.B) {
			path, size, lines := benchFile(b, bf.file)
			p, err := ParseFormat(bf.format)
			if err != nil {
				b.Fatal(err)
			}
			c := NewClassifier(p, nil, nil)
			b.SetBytes(size)
			b.ResetTimer()
			var scanners int
			for b.Loop() {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				var e Entry
				scanners = 0
				if _, err := tail.ReadLines(context.Background(), f, 0, func(line []byte) {
					if c.Classify(line, &e) == ClassScanner {
						scanners++
					}
				}); err != nil {
					b.Fatal(err)
				}
				f.Close()
			}
			b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
			b.ReportMetric(float64(scanners), "scanners")
		})
	}
}

// BenchmarkGrepBaseline runs `grep -E -i -c` with the same scanner
// signatures (httpguard.EREs) over the same files.
func BenchmarkGrepBaseline(b *testing.B) {
	grep, err := exec.LookPath("grep")
	if err != nil {
		b.Skip("grep not installed")
	}
	ere := scannerERE()
	for _, bf := range benchFormats {
		b.Run(bf.file, func(b *testing.B) {
			path, size, lines := benchFile(b, bf.file)
			b.SetBytes(size)
			b.ResetTimer()
			var matches int
			for b.Loop() {
				out, err := exec.Command(grep, "-E", "-i", "-c", ere, path).Output()
				if err != nil {
					b.Fatal(err)
				}
				matches, _ = strconv.Atoi(strings.TrimSpace(string(out)))
			}
			b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
			b.ReportMetric(float64(matches), "scanners")
		})
	}
}

// BenchmarkRuleSetEngine is the reason rules_fast.go exists: the shipped
// python-voicebot rule set over its replicated corpus, parsed with the
// one-pass matcher where it applies (fast) and with Go's regexp for every
// rule (regexp), prefilters on in both, same run.
func BenchmarkRuleSetEngine(b *testing.B) {
	path, size, _ := benchFile(b, "voicebot")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(data, []byte("\n"))
	for _, engine := range []string{"fast", "regexp"} {
		b.Run(engine, func(b *testing.B) {
			rs, err := LoadShippedRuleSet("python-voicebot")
			if err != nil {
				b.Fatal(err)
			}
			fast := 0
			for i := range rs.Rules {
				if rs.Rules[i].fast != nil {
					fast++
				}
				if engine == "regexp" {
					rs.Rules[i].fast = nil
				}
			}
			if fast == 0 {
				b.Fatal("no rule of the set uses the one-pass matcher")
			}
			b.SetBytes(size)
			var e Entry
			for b.Loop() {
				for _, l := range lines {
					_ = rs.Parse(l, &e)
				}
			}
		})
	}
}
