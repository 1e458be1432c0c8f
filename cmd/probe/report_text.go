package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/voicewatch/voicewatch/probes"
)

// writeText prints one line per probe with its phases; a failure adds the
// reason, the message and what to check.
func writeText(w io.Writer, results []probes.Result) error {
	var b strings.Builder
	for _, r := range results {
		status := "PASS"
		if !r.Success {
			status = "FAIL"
		}
		if r.Probe == r.Target {
			fmt.Fprintf(&b, "%s %s %s %s", status, r.Kind, r.Target, fmtDur(r.Duration))
		} else {
			fmt.Fprintf(&b, "%s %s (%s %s) %s", status, r.Probe, r.Kind, r.Target, fmtDur(r.Duration))
		}
		for _, ph := range r.Phases {
			fmt.Fprintf(&b, " %s=%s", ph.Name, fmtDur(ph.Duration))
		}
		b.WriteByte('\n')
		if len(r.Details) > 0 {
			b.WriteString("     ")
			for _, k := range sortedKeys(r.Details) {
				fmt.Fprintf(&b, " %s=%s", k, r.Details[k])
			}
			b.WriteByte('\n')
		}
		if f := r.Failure; f != nil && !r.Success {
			fmt.Fprintf(&b, "      reason=%s phase=%s: %s\n", f.Reason, orDash(f.Phase), f.Message())
			fmt.Fprintf(&b, "      check: %s\n", f.Reason.Hint())
		}
	}
	passed, failed := counts(results)
	fmt.Fprintf(&b, "%d passed, %d failed\n", passed, failed)
	_, err := io.WriteString(w, b.String())
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
