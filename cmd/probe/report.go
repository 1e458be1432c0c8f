package main

import (
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/voicewatch/voicewatch/probes"
)

// writeReport renders results in format.
func writeReport(w io.Writer, format string, results []probes.Result) error {
	switch format {
	case "json":
		return writeJSON(w, results)
	case "junit":
		return writeJUnit(w, results)
	case "markdown":
		return writeMarkdown(w, results)
	default:
		return writeText(w, results)
	}
}

// fmtDur prints a duration with 3 significant decimals of its unit.
func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.3fs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.3fms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.3fµs", float64(d)/float64(time.Microsecond))
	}
}

func counts(results []probes.Result) (passed, failed int) {
	for _, r := range results {
		if r.Success {
			passed++
		} else {
			failed++
		}
	}
	return passed, failed
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
