// Package webrtc probes a voice agent with a real call: WHIP signaling
// (RFC 9725) with a bearer token, trickle ICE over PATCH or a complete
// offer, its own ICE servers, an optional relay-only policy that proves the
// TURN path end to end, DTLS, then PCMU audio sent to the agent and the
// time until audio comes back (the echo bot answers each utterance), and a
// hang-up with DELETE. Phases: signaling, ice_gathering, ice_connected,
// dtls, connected, first_audio, hangup.
package webrtc
