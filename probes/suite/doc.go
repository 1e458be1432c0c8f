// Package suite loads probe suites: a YAML file of probes with defaults,
// strict decoding (unknown fields are errors), ${ENV} expansion for
// secrets, a base target that one flag can switch between staging and
// production, and per-probe assertions. The result is a list of
// probes.Spec ready for probes.Run. cmd/probe and the sidecar share it.
// Each entry's kind settings are decoded once by the kind's descriptor
// (probes.Kind) into a [Module] that then binds the entry's target; the
// sidecar's modules: are Modules too, decoded at load with [DecodeModule]
// and bound to a target per GET /probe.
//
//	target: https://staging.example.com      # base for relative targets
//	defaults:
//	  timeout: 10s
//	  repeat: 1
//	  turn: {username: probe, password: ${TURN_PASSWORD}}
//	probes:
//	  - name: stun
//	    kind: stun
//	    target: stun:stun.example.com:3478
//	  - name: call
//	    kind: webrtc
//	    target: /whip
//	    webrtc: {token: ${WHIP_TOKEN}, relay_only: true, ice_servers: [...]}
//	    assert: {max_ice_gathering: 3s, require_candidate: relay}
package suite
