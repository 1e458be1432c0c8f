// Package voice is the instrumented WebRTC media core: WHIP signaling, the
// audio pipeline (VAD → STT → Dialog → TTS) and the session lifecycle, with
// every session, ICE, connection, STT and TTS event recorded as a metric and
// a structured log event.
package voice
