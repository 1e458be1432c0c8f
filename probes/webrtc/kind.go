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
