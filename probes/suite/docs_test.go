package suite

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var (
	phasesPerKind = regexp.MustCompile(`(?s)Phases per kind: (.*?)\. A misspelt`)
	kindPhases    = regexp.MustCompile("^`([a-z]+)` (.+)$")
	aside         = regexp.MustCompile(`\s*\([^)]*\)`)
)

// TestDocumentedPhases: the phase names docs/ci-github-actions.md lists
// for max_<phase> assertions are the ones each kind's descriptor declares,
// in order.
func TestDocumentedPhases(t *testing.T) {
	const doc = "../../docs/ci-github-actions.md"
	b, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	m := phasesPerKind.FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s: no \"Phases per kind: ...\" paragraph", doc)
	}
	reg := DefaultRegistry()
	var documented []string
	for part := range strings.SplitSeq(strings.Join(strings.Fields(string(m[1])), " "), ";") {
		km := kindPhases.FindStringSubmatch(strings.TrimSpace(part))
		if km == nil {
			t.Fatalf("%s: cannot read %q (want `kind` phase, phase, ...)", doc, part)
		}
		kind := km[1]
		documented = append(documented, kind)
		var got []string
		for ph := range strings.SplitSeq(aside.ReplaceAllString(km[2], ""), ",") {
			got = append(got, strings.TrimSpace(ph))
		}
		if want := reg.Phases(kind); !slices.Equal(got, want) {
			t.Errorf("%s lists %s phases %v; the kind declares %v", doc, kind, got, want)
		}
	}
	slices.Sort(documented)
	if kinds := reg.Kinds(); !slices.Equal(documented, kinds) {
		t.Errorf("%s documents kinds %v; registered: %v", doc, documented, kinds)
	}
}
