package sidecar

import (
	"bytes"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/suite"
)

// roundTripSpec is how GET /probe built its probe before modules were
// decoded at load (the baseline of BenchmarkProbeModuleBinding): the
// module's YAML node, with name and target spliced in, re-marshalled into
// a one-probe suite and loaded with suite.Load on every request.
func roundTripSpec(b *testing.B, name string, mod yaml.Node, target string) probes.Spec {
	str := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
	entry := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{str("name"), str(name), str("target"), str(target)}}
	entry.Content = append(entry.Content, mod.Content...)
	doc := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		str("probes"), {Kind: yaml.SequenceNode, Content: []*yaml.Node{entry}},
	}}
	out, err := yaml.Marshal(doc)
	if err != nil {
		b.Fatal(err)
	}
	specs, err := suite.Load(bytes.NewReader(out), suite.Options{Getenv: noEnv})
	if err != nil {
		b.Fatal(err)
	}
	return specs[0]
}

// BenchmarkProbeModuleBinding: what GET /probe does before it probes, per
// kind: yaml_round_trip (the baseline, before issue 17) against descriptor
// (binding the target to the module decoded at load).
func BenchmarkProbeModuleBinding(b *testing.B) {
	cfg, err := ParseConfig(strings.NewReader(`
modules:
  stun: {kind: stun, timeout: 5s, stun: {transports: [udp]}}
  turn:
    kind: turn
    turn: {secret: s3cret, echo_count: 5}
    allowed_targets: ["turn:*"]
  webrtc:
    kind: webrtc
    timeout: 10s
    webrtc: {token: t0ken-t0ken-t0ken, relay_only: true, ice_servers: [{url: "turn:127.0.0.1:3478", secret: s3cret}]}
    assert: {max_ice_gathering: 3s}
    allowed_targets: ["http://127.0.0.1:8080/whip"]
  http: {kind: http, timeout: 5s}
`), LoadOptions{Getenv: env(nil)})
	if err != nil {
		b.Fatal(err)
	}
	targets := map[string]string{
		"stun":   "stun:127.0.0.1:3478",
		"turn":   "turn:127.0.0.1:3478?transport=udp",
		"webrtc": "http://127.0.0.1:8080/whip",
		"http":   "http://127.0.0.1:8080/-/healthy",
	}
	for _, name := range []string{"stun", "turn", "webrtc", "http"} {
		target := targets[name]
		b.Run(name+"/yaml_round_trip", func(b *testing.B) {
			settings, _, err := splitModule(name, cfg.Modules[name])
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				roundTripSpec(b, name, settings, target)
			}
		})
		b.Run(name+"/descriptor", func(b *testing.B) {
			mod := cfg.modules[name]
			b.ReportAllocs()
			for b.Loop() {
				if _, err := mod.spec(name, target, probes.Env{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
