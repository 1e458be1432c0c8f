package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/voicewatch/voicewatch/probes"
)

// writeMarkdown writes a summary for a CI job summary
// ($GITHUB_STEP_SUMMARY): a table, then one section per failure.
func writeMarkdown(w io.Writer, results []probes.Result) error {
	var b strings.Builder
	passed, failed := counts(results)
	fmt.Fprintf(&b, "## voicewatch probes: %d passed, %d failed\n\n", passed, failed)
	b.WriteString("| | probe | kind | target | candidates (local → remote) | duration | phases |\n|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		icon := "✅"
		if !r.Success {
			icon = "❌"
		}
		var phases []string
		for _, ph := range r.Phases {
			phases = append(phases, fmt.Sprintf("%s %s", ph.Name, fmtDur(ph.Duration)))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | `%s` | %s | %s | %s |\n", icon, md(r.Probe), r.Kind, md(r.Target), orDash(md(candidates(r))),
			fmtDur(r.Duration), md(strings.Join(phases, ", ")))
	}
	for _, r := range results {
		f := r.Failure
		if r.Success || f == nil {
			continue
		}
		fmt.Fprintf(&b, "\n### ❌ %s: `%s` in phase `%s`\n\n%s\n\n**Check:** %s\n", md(r.Probe), f.Reason, orDash(f.Phase), md(f.Message()), f.Reason.Hint())
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// md escapes table-breaking characters.
func md(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}

// candidates returns the selected candidate pair's types of a WebRTC
// result, "relay → host", or "" when the probe selected none: a relay-only
// pass must not look like a host pass in a CI summary.
func candidates(r probes.Result) string {
	local, remote := r.Details[probes.DetailLocalCandidate], r.Details[probes.DetailRemoteCandidate]
	if local == "" && remote == "" {
		return ""
	}
	return orDash(local) + " → " + orDash(remote)
}
