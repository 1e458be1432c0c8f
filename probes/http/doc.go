// Package http probes HTTP health endpoints: one GET, the expected status
// (default 200), within the probe timeout.
package http
