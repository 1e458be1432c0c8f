// Package webrtc probes a voice agent with a real call: WHIP signaling
// (RFC 9725) with a bearer token, trickle ICE over PATCH or a complete
// offer, its own ICE servers, an optional relay-only policy that proves the
// TURN path end to end, DTLS, then: it hears out the bot's greeting (if
// any), sends a speech-like PCMU tone and measures the bot's reply to it
// (the first loud audio after the tone ends: never the greeting, never
// negative), and hangs up with DELETE. It reports the call's loss, jitter
// and RTT from pion's RTCP statistics. Phases: signaling, ice_gathering,
// ice_connected, dtls, connected, greeting, first_audio (tone start to
// reply), response_latency (tone end to reply), hangup.
package webrtc
