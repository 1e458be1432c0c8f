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
package scrape
