package httpguard_test

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voicewatch/voicewatch/internal/golden"
	"github.com/voicewatch/voicewatch/internal/httpguard/httpguardtest"
)

// TestHoldout measures the classifiers on testdata/holdout.tsv, requests
// written after the signatures were frozen: how the classification does on
// traffic it was not tuned on. Legitimate requests must still pass (no
// false positive); recall is reported in testdata/holdout-report.md (go
// test -run TestHoldout -update) and only guarded against regressions.
func TestHoldout(t *testing.T) {
	c := httpguardtest.LoadFile(t, "holdout.tsv")
	names, cls := corpusClassifiers(t, c)
	var scores [][]httpguardtest.Score
	var totals []httpguardtest.Score
	var missed []string
	for i := range names {
		f, total := httpguardtest.Evaluate(c, func(r httpguardtest.Request) string {
			got := cls[i](r)
			if i == 0 && got == "" && r.Want != httpguardtest.Legitimate {
				missed = append(missed, fmt.Sprintf("%s: %s %s (UA %q)", r.Family, r.Method, r.Target, r.UserAgent))
			}
			return got
		})
		scores, totals = append(scores, f), append(totals, total)
		if total.FalsePositives != 0 {
			t.Errorf("%s: %d false positives on the holdout", names[i], total.FalsePositives)
		}
	}
	if totals[0].Recall() < 0.85 {
		t.Errorf("guard recall on the holdout fell to %.2f", totals[0].Recall())
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Holdout: %d requests (internal/httpguard/testdata/holdout.tsv), written after the signatures were frozen.\n\n", len(c.Requests))
	b.WriteString(httpguardtest.Markdown(names, scores, totals))
	b.WriteString("\nScanner requests the guard lets through:\n\n")
	for _, m := range missed {
		fmt.Fprintf(&b, "- `%s`\n", m)
	}
	golden.Check(t, filepath.Join("testdata", "holdout-report.md"), []byte(b.String()), flag.Lookup("update").Value.String() == "true")
}
