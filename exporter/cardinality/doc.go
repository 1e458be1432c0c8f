// Package cardinality bounds the cardinality of everything the sidecar publishes:
// a prometheus.Gatherer wrapper that admits at most a fixed number of series
// per metric name. A series beyond the limit is dropped and counted in
// voicewatch_series_dropped_total{metric}; admitted series not seen for a
// while are forgotten, so memory is bounded by the limits, not by what the
// sources (scraped targets, attacker-chosen log paths) produce.
package cardinality
