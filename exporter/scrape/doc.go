// Package scrape pulls Prometheus text-format metrics from any number of
// targets, each on its own interval in its own goroutine, and keeps every
// target's latest families as an immutable snapshot. The snapshots are
// exposed together as a prometheus.Gatherer, with the target's labels (by
// default job="<target name>") added to every series.
//
// A target that is down, slow (timeout), too large (body size limit) or
// malformed keeps its previous snapshot out of the output (its series
// disappear, like a failed Prometheus scrape), is reported in
// voicewatch_scrape_up / voicewatch_scrape_errors_total{reason}, and never
// blocks or crashes the other targets.
//
// Parsing is the sidecar's largest steady cost, so each target has a Parser
// that works like Prometheus' scrape cache: lines are lexed with
// Prometheus' own model/textparse, and a series whose text was in the
// previous scrape reuses its parsed, relabelled labels; only its value is
// read. New series are read by the text format's reference parser
// (expfmt), and the result is the same as expfmt's for the whole body
// (tested against it, and fuzzed).
package scrape
