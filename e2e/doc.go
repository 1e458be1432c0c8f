// Package e2e holds the end-to-end tests of voicewatch: the whole stack
// (coturn, agent voice, agent sidecar, Prometheus, Alertmanager and a webhook
// receiver) runs as real processes on loopback inside a network namespace,
// Chromium places calls through the test page, every dashboard query is
// evaluated, and a matrix of faults is injected one after the other to prove
// which alerts page, which ones open a ticket, and how long each takes.
//
// The package has no non-test code. Run it with `make e2e`; `go test ./e2e
// -update` also rewrites docs/fault-matrix.md with the measured times. The
// load test runs when VOICEWATCH_E2E_LOAD=1 (see docs/benchmarks.md, "End-to-end: load under a scanner flood").
package e2e
