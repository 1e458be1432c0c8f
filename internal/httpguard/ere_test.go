package httpguard

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ereCorpus returns every target from the classifier tests, which the EREs
// must classify exactly as Classify does.
func ereCorpus(t testing.TB) []string {
	var out []string
	for _, line := range benchCorpus {
		_, target := splitRequestLine(t, line)
		out = append(out, target)
	}
	for _, target := range legitimateTargets {
		if !strings.HasPrefix(strings.ToLower(target), "http") { // EREs do not strip the authority
			out = append(out, target)
		}
	}
	for _, r := range rules { // every needle, plain and with a boundary after it
		if r.flags&inTarget == 0 {
			continue
		}
		n := strings.ReplaceAll(r.needle, "\n", "%0a") // no raw LF in a request line
		out = append(out, "/x"+n, "/x"+n+"/y", "/x"+n+"y", "/x?q="+n, "/x?q=a+"+n)
	}
	return out
}

func TestEREsArePOSIX(t *testing.T) {
	eres := EREs()
	for _, p := range Patterns() {
		t.Run(string(p), func(t *testing.T) {
			ere, ok := eres[p]
			if p == PatternInvalidMethod || p == PatternScannerAgent || p == PatternUnknownRoute {
				if ok {
					t.Fatal("this pattern depends on the method, the User-Agent or the routes; it must have no ERE")
				}
				return
			}
			if !ok {
				t.Fatal("missing ERE")
			}
			if _, err := regexp.CompilePOSIX(ere); err != nil {
				t.Fatalf("not a POSIX ERE: %v", err)
			}
		})
	}
}

func TestEREsAgreeWithClassify(t *testing.T) {
	rc := newRegexpClassifier(t)
	for _, target := range ereCorpus(t) {
		t.Run(target, func(t *testing.T) {
			if got, want := rc.classify("", target), Classify("", target); got != want {
				t.Errorf("EREs classify %q as %q, Classify as %q", target, got, want)
			}
		})
	}
}

// TestEREsWithGrep checks the expressions with the tool they are written
// for: grep -E -i -c must count as many lines per pattern as Classify.
func TestEREsWithGrep(t *testing.T) {
	grep, err := exec.LookPath("grep")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("grep not found")
		}
		t.Skip("grep not found")
	}
	targets := ereCorpus(t)
	var buf bytes.Buffer
	for _, target := range targets {
		if target != "" && !strings.ContainsAny(target, "\n") {
			buf.WriteString(target)
			buf.WriteByte('\n')
		}
	}
	file := filepath.Join(t.TempDir(), "targets.log")
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	eres := EREs()
	// grep counts the lines matching one pattern regardless of priority, so
	// compare it with Go's regexp running the same ERE; the test above ties
	// that to Classify.
	for _, p := range Patterns() {
		ere, ok := eres[p]
		if !ok {
			continue
		}
		t.Run(string(p), func(t *testing.T) {
			re := regexp.MustCompile("(?i)" + ere)
			want := 0
			for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
				if re.MatchString(line) {
					want++
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, grep, "-E", "-i", "-c", "-e", ere, file)
			cmd.Env = append(os.Environ(), "LC_ALL=C")
			out, err := cmd.Output()
			if err != nil && want != 0 {
				t.Fatalf("grep: %v", err)
			}
			got, _ := strconv.Atoi(strings.TrimSpace(string(out)))
			if got != want || want == 0 {
				t.Errorf("grep -E -i -c counts %d lines, Go regexp %d (want equal and > 0)", got, want)
			}
		})
	}
}
