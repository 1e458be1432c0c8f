// Package elevenlabs is the ElevenLabs text-to-speech adapter: it streams a
// reply through the WebSocket stream-input API
// (wss://api.elevenlabs.io/v1/text-to-speech/{voice_id}/stream-input) with
// output_format=ulaw_8000, which is G.711 μ-law at 8 kHz: the PCMU payload
// itself, cut into 20 ms RTP chunks with no transcoding.
//
// Each Synthesize call opens one connection and sends three messages: the
// initialising message (" " with voice_settings and generation_config), the
// text with try_trigger_generation, and the empty text that ends the input.
// voice_settings go in the first message only: the API closes the
// connection with 1008 (policy violation) when a later message carries
// different ones — the bug of the incident this project comes from.
//
// Synthesize streams 20 ms chunks to the media core as frames arrive (the
// media core measures the time to the first one) and returns a classified
// *voice.ProviderError on failure: policy_violation, quota, auth,
// throttled, timeout, network or other. Opus sessions are not transcoded:
// see docs/providers.md (the media core should negotiate PCMU when this TTS
// is used; Codecs says so).
package elevenlabs
