package webrtc

import (
	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
)

// Kind is the "webrtc" probe kind: its settings are a [Config] without
// Target, decoded once; a module binds WHIP endpoint URLs.
var Kind = probes.NewKind(probemetrics.KindWebRTC, Phases,
	func(cfg Config, target string, env probes.Env) (probes.Prober, error) {
		cfg.Target = target
		return New(cfg, WithNet(env.Net), WithLogger(env.Logger))
	})

// Phases are the phase names of a WebRTC probe in the order they end.
// greeting is the wait for the bot's greeting to end; first_audio runs
// from connected to the first audio the bot sent (its greeting, or its
// reply when it does not greet), and response_latency from the end of the
// probe's tone to the bot's reply (its voice-to-voice latency as a caller
// hears it; the phases overlap).
var Phases = []string{
	probemetrics.PhaseWebRTCSignaling, probemetrics.PhaseWebRTCICEGathering, probemetrics.PhaseWebRTCICEConnected,
	probemetrics.PhaseWebRTCDTLS, probemetrics.PhaseWebRTCConnected, probemetrics.PhaseWebRTCGreeting,
	probemetrics.PhaseWebRTCFirstAudio, probemetrics.PhaseWebRTCResponseLatency, probemetrics.PhaseWebRTCHangup,
}
