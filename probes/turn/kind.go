package turn

import (
	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/internal/stunturn"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
)

// Kind is the "turn" probe kind: its settings are a [Config] without
// Target, decoded once with its ca_file loaded; a module binds turn: and
// turns: URIs.
var Kind = probes.Kind{Name: probemetrics.KindTURN, Phases: Phases, Decode: decode}

func decode(fill func(v any) error) (probes.Module, error) {
	cfg, err := probes.DecodeSettings[Config](fill)
	if err != nil {
		return nil, err
	}
	roots, err := cfg.roots()
	if err != nil {
		return nil, err
	}
	return probes.ModuleFunc(func(target string, env probes.Env) (probes.Prober, error) {
		cfg := cfg
		cfg.Target = target
		return newProber(cfg, roots, stunturn.Env(env))
	}), nil
}

// Phases are the phase names of a TURN probe, in order; connect runs
// only over TCP and TLS.
var Phases = []string{
	probemetrics.PhaseTURNConnect, probemetrics.PhaseTURNAllocate, probemetrics.PhaseTURNPeerBinding,
	probemetrics.PhaseTURNPermission, probemetrics.PhaseTURNRelayEcho, probemetrics.PhaseTURNRefresh,
	probemetrics.PhaseTURNDeallocate,
}
