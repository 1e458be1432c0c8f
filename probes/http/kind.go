package http

import (
	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
)

// Phases are the phase names of an HTTP probe.
var Phases = []string{probemetrics.PhaseHTTPRequest}

// Kind is the "http" probe kind: its settings are a [Config] without
// Target, decoded once; a module binds http(s) URLs.
var Kind = probes.NewKind(probemetrics.KindHTTP, Phases,
	func(cfg Config, target string, env probes.Env) (probes.Prober, error) {
		cfg.Target = target
		return New(cfg, WithLogger(env.Logger))
	})
