// Package probes runs synthetic checks against the parts a WebRTC voice agent
// depends on — STUN and TURN servers, the agent's WHIP endpoint and its HTTP
// health endpoints — and reports each check as a [Result] a person can act on:
// success, total duration, ordered per-phase durations, details (mapped
// address, relay address, selected candidate types, ...) and, for a failure,
// the phase that failed and a [Reason] from a bounded set.
//
// One subpackage implements each kind (probes/stun, probes/turn,
// probes/webrtc, probes/http) and declares its [Kind]: the phases it
// reports and how its settings decode into a [Module] — once, when a
// configuration is loaded, apart from any target — that then binds targets
// cheaply. A [Registry] maps kind names to them, so configuration files and
// the sidecar build probers by name. Results are
// exported with the blackbox_exporter metric names (see package probemetrics) into a
// fresh Prometheus registry per run, so no series goes stale.
package probes
