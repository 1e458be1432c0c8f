// Package dashtest holds test helpers for dashboards as code: a real
// Prometheus (the Debian package) started on loopback and scraping given
// targets, evaluation of every dashboard query against it, a PromQL metric
// name extractor, and a fake Grafana HTTP API that stores dashboards.
//
// The full-stack test reuses StartPrometheus and EvalAll against the running
// demo.
package dashtest
