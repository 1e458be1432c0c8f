package stun

import (
	"github.com/voicewatch/voicewatch/probes"
)

// Factory builds a STUN prober from a suite entry; it is registered as
// kind "stun".
func Factory(target string, decode func(v any) error, env probes.Env) (probes.Prober, error) {
	cfg := Config{}
	if err := decode(&cfg); err != nil {
		return nil, err
	}
	cfg.Target = target
	if cfg.Software == "" {
		cfg.Software = env.Software
	}
	return New(cfg, WithNet(env.Net), WithLogger(env.Logger))
}
