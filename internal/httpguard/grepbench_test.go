package httpguard

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkCountScanners counts the scanner lines of a 100,000-line file of
// request-targets (the mixed corpus, repeated), once with Classify and once
// with `grep -E -i -c` and the alternation of all EREs — the baseline the
// sidecar's log classifier is measured against. One op is one whole file;
// the grep op includes starting the process, as a shell pipeline would.
func BenchmarkCountScanners(b *testing.B) {
	const lines = 100_000
	var buf bytes.Buffer
	var targets []string
	for i := range lines {
		_, target := splitRequestLine(b, benchCorpus[i%len(benchCorpus)])
		targets = append(targets, target)
		buf.WriteString(target)
		buf.WriteByte('\n')
	}
	data := buf.Bytes()
	file := filepath.Join(b.TempDir(), "targets.log")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		b.Fatal(err)
	}
	var alts []string
	for _, ere := range EREs() {
		alts = append(alts, ere)
	}
	combined := strings.Join(alts, "|")

	want := 0
	for _, t := range targets {
		if p := Classify("", t); p != PatternNone {
			want++
		}
	}

	b.Run("classify", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for range b.N {
			n := 0
			rest := data
			for len(rest) > 0 {
				i := bytes.IndexByte(rest, '\n')
				line := rest[:i]
				rest = rest[i+1:]
				if Classify("", unsafeString(line)) != PatternNone {
					n++
				}
			}
			if n != want {
				b.Fatalf("counted %d, want %d", n, want)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lines), "ns/line")
	})
	b.Run("grep-E", func(b *testing.B) {
		grep, err := exec.LookPath("grep")
		if err != nil {
			b.Skip("grep not found")
		}
		b.SetBytes(int64(len(data)))
		for range b.N {
			cmd := exec.CommandContext(context.Background(), grep, "-E", "-i", "-c", "-e", combined, file)
			cmd.Env = []string{"LC_ALL=C"}
			out, err := cmd.Output()
			if err != nil {
				b.Fatal(err)
			}
			if n, _ := strconv.Atoi(strings.TrimSpace(string(out))); n != want {
				b.Fatalf("grep counted %d, Classify %d", n, want)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lines), "ns/line")
	})
}
