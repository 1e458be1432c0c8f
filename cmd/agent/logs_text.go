//go:build !sidecaronly

package main

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/voicewatch/voicewatch/exporter/logs"
)

// writeTextReport renders r for people.
func writeTextReport(w io.Writer, r *logs.Report) error {
	b := bufio.NewWriter(w)
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }

	p("voicewatch log report\n")
	p("  sources      %s (format %s)\n", strings.Join(r.Sources, ", "), r.Format)
	if r.From != nil {
		p("  period       %s to %s UTC (%s)", r.From.Format(time.DateTime), r.To.Format(time.DateTime), r.To.Sub(*r.From).Round(time.Second))
		if r.Since != "" {
			p(", last %s", r.Since)
		}
		p("\n")
	}
	p("  lines        %d: legitimate %d, scanner %d, unparsable %d", r.Lines, r.Legitimate.Lines, r.Scanner.Total, r.Unparsable)
	if r.LongLines > 0 {
		p(" (%d over-long lines skipped)", r.LongLines)
	}
	if r.HeaderLines > 0 {
		p(" (%d header lines)", r.HeaderLines)
	}
	p("\n\n")

	if r.WAF != nil {
		p("AWS WAF (what the edge did)\n")
		p("  requests              %d (%s)\n", r.WAF.Requests, inline(r.WAF.ByAction))
		if len(r.WAF.BlockedByRule) > 0 {
			p("  blocked by rule\n")
			table(p, r.WAF.BlockedByRule)
		}
		p("  scanners let through  %d (allowed by the WAF, flagged by the guard's signatures)\n\n", r.WAF.ScannersAllowed)
	}

	p("Sessions\n")
	p("  started               %d\n", r.Sessions.Started)
	p("  completed             %d", r.Sessions.Completed)
	if r.Sessions.Ended > 0 {
		p(" of %d ended (%.1f%% completion = completed/ended)", r.Sessions.Ended, 100*r.Sessions.CompletionRate)
	}
	p("\n")
	if len(r.Sessions.EndedOtherwise) > 0 {
		p("  ended otherwise       %s\n", inline(r.Sessions.EndedOtherwise))
	}
	p("  WebSocket connections %d\n", r.WebSockets)
	p("  store writes          %d (%d failed)\n", r.Store.Total, r.Store.Failed)
	p("  warnings              %d\n\n", r.Warnings)

	if len(r.Values) > 0 {
		p("Values captured from logs (base units: seconds, bytes, ratio)\n")
		p("    %-36s %6s %8s %8s %8s %8s\n", "metric", "count", "min", "p50", "p95", "max")
		for _, v := range r.Values {
			p("    %-36s %6d %8.3g %8.3g %8.3g %8.3g\n", v.Metric, v.Count, v.Min, v.P50, v.P95, v.Max)
		}
		p("\n")
	}

	p("Legitimate traffic\n")
	p("  requests              %d", r.Legitimate.Requests)
	if len(r.Legitimate.ByStatus) > 0 {
		p(" (%s)", inline(r.Legitimate.ByStatus))
	}
	p("\n")
	p("  errors                %d (HTTP 5xx and application errors)\n", r.Legitimate.Errors)
	table(p, r.Legitimate.ErrorsByKind)
	p("\n")

	p("Scanner traffic (rejected probes; never counted as errors)\n")
	p("  requests              %d\n", r.Scanner.Total)
	if r.Scanner.Total > 0 {
		p("  by pattern\n")
		table(p, r.Scanner.ByPattern)
		p("  by client IP (X-Forwarded-For / ALB client field)\n")
		table(p, r.Scanner.ByClientIP)
	}
	p("\n")

	for _, n := range r.Notes {
		p("Note: %s\n\n", n)
	}

	p("Requests per minute\n")
	if r.PerMinute.PeakMinute == nil {
		p("  no timestamped requests\n")
	} else {
		p("  average %.1f, peak %d at %s UTC\n", r.PerMinute.Average, r.PerMinute.Peak, r.PerMinute.PeakMinute.Format("2006-01-02 15:04"))
		busiest := slices.Clone(r.PerMinute.Series)
		slices.SortStableFunc(busiest, func(a, b logs.MinuteCount) int {
			return cmp.Compare(b.Legitimate+b.Scanner, a.Legitimate+a.Scanner)
		})
		p("  busiest minutes       legitimate  scanner\n")
		for _, m := range busiest[:min(5, len(busiest))] {
			p("    %s      %10d %8d\n", m.Minute.Format("2006-01-02 15:04"), m.Legitimate, m.Scanner)
		}
	}
	return b.Flush()
}

// sortedCounts orders m by count (descending), then key.
func sortedCounts(m map[string]int) []string {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int {
		if c := cmp.Compare(m[b], m[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return keys
}

func table(p func(string, ...any), m map[string]int) {
	for _, k := range sortedCounts(m) {
		p("    %-28s %5d\n", k, m[k])
	}
}

func inline(m map[string]int) string {
	var parts []string
	for _, k := range sortedCounts(m) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
