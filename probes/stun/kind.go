package stun

import (
	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/internal/stunturn"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
)

// Kind is the "stun" probe kind: its settings are a [Config] without
// Target, decoded once; a module binds stun: URIs.
var Kind = probes.NewKind(probemetrics.KindSTUN, Phases(TransportUDP, TransportTCP),
	func(cfg Config, target string, env probes.Env) (probes.Prober, error) {
		cfg.Target = target
		return New(cfg, stunturn.Env(env)...)
	})

// bindingPhase is the phase of a Binding transaction over each transport.
var bindingPhase = map[string]string{
	TransportUDP: probemetrics.PhaseSTUNBindingUDP,
	TransportTCP: probemetrics.PhaseSTUNBindingTCP,
}

// Phases returns the phase names a prober with these transports reports
// (default: both).
func Phases(transports ...string) []string {
	if len(transports) == 0 {
		transports = []string{TransportUDP, TransportTCP}
	}
	out := make([]string, len(transports))
	for i, t := range transports {
		out[i] = bindingPhase[t]
	}
	return out
}
