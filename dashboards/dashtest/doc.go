// Package dashtest holds test helpers for dashboards as code: a real
// Prometheus (the Debian package) started on loopback and scraping given
// targets, evaluation of every dashboard query against it, a PromQL metric
// name extractor, a fake Grafana HTTP API that stores dashboards, and the
// panels of a generated dashboard as data (Panels).
//
// The full-stack test reuses StartPrometheus and EvalAll against the running
// demo.
package dashtest
