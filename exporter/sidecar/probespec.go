package sidecar

import (
	"bytes"
	"fmt"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
	"github.com/voicewatch/voicewatch/probes/suite"
)

func defaultProbeEnv() probes.Env { return probes.Env{} }

func dirOf(path string) string { return filepath.Dir(path) }

// buildSpecs builds the scheduled probes (none when no suite is set).
func (c *Config) buildSpecs(env probes.Env) ([]probes.Spec, error) {
	opts := suite.Options{Env: env, Getenv: noEnv}
	switch {
	case c.Probes.SuiteFile != "":
		path := c.Probes.SuiteFile
		if !filepath.IsAbs(path) && c.suiteBase != "" {
			path = filepath.Join(c.suiteBase, path)
		}
		// A separate file expands its own ${ENV} references.
		opts.Getenv = nil
		specs, err := suite.LoadFile(path, opts)
		if err != nil {
			return nil, fmt.Errorf("%w: probes.suite_file %s: %w", ErrInvalidConfig, path, err)
		}
		return specs, nil
	case !c.Probes.Suite.IsZero():
		b, err := yaml.Marshal(&c.Probes.Suite)
		if err != nil {
			return nil, fmt.Errorf("%w: probes.suite: %w", ErrInvalidConfig, err)
		}
		specs, err := suite.Load(bytes.NewReader(b), opts)
		if err != nil {
			return nil, fmt.Errorf("%w: probes.suite: %w", ErrInvalidConfig, err)
		}
		return specs, nil
	}
	return nil, nil
}

// noEnv resolves nothing: the inline suite was expanded with the whole
// configuration already.
func noEnv(string) (string, bool) { return "", false }

// placeholderTargets validate modules at load time, per kind.
var placeholderTargets = map[string]string{
	probemetrics.KindSTUN:   "stun:127.0.0.1:3478",
	probemetrics.KindTURN:   "turn:127.0.0.1:3478",
	probemetrics.KindWebRTC: "http://127.0.0.1/whip",
	probemetrics.KindHTTP:   "http://127.0.0.1/",
}

// checkModule builds module name against a placeholder target.
func (c *Config) checkModule(name string) error {
	mod := c.Modules[name]
	if mod.Kind != yaml.MappingNode {
		return fmt.Errorf("%w: modules.%s: must be a mapping like {kind: stun, timeout: 5s}", ErrInvalidConfig, name)
	}
	for i := 0; i < len(mod.Content); i += 2 {
		switch k := mod.Content[i].Value; k {
		case "name", "target":
			return fmt.Errorf("%w: modules.%s: %q is not allowed in a module (the module name and ?target= set it)", ErrInvalidConfig, name, k)
		}
	}
	mod, _, err := splitModule(name, mod)
	if err != nil {
		return err
	}
	target, ok := placeholderTargets[moduleKind(&mod)]
	if !ok {
		target = "http://127.0.0.1/"
	}
	if _, err := buildModule(name, mod, target, defaultProbeEnv()); err != nil {
		return err
	}
	return nil
}

func moduleKind(mod *yaml.Node) string {
	for i := 0; i+1 < len(mod.Content); i += 2 {
		if mod.Content[i].Value == "kind" {
			return mod.Content[i+1].Value
		}
	}
	return ""
}

// moduleSpec builds the probe of module name against target. A target
// outside the module's allowed_targets is ErrTargetNotAllowed, before any
// probe exists.
func (c *Config) moduleSpec(name, target string, env probes.Env) (probes.Spec, error) {
	raw, ok := c.Modules[name]
	if !ok {
		return probes.Spec{}, fmt.Errorf("%w: %q", ErrUnknownModule, name)
	}
	mod, guard, err := splitModule(name, raw)
	if err != nil {
		return probes.Spec{}, err
	}
	if !guard.allows(target) {
		return probes.Spec{}, fmt.Errorf("%w: modules.%s.%s does not list %q", ErrTargetNotAllowed, name, allowedTargetsKey, target)
	}
	return buildModule(name, mod, target, env)
}

// buildModule builds the probe of module settings mod (allowed_targets
// removed) against target.
func buildModule(name string, mod yaml.Node, target string, env probes.Env) (probes.Spec, error) {
	str := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
	entry := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{str("name"), str(name), str("target"), str(target)}}
	entry.Content = append(entry.Content, mod.Content...)
	doc := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		str("probes"), {Kind: yaml.SequenceNode, Content: []*yaml.Node{entry}},
	}}
	b, err := yaml.Marshal(doc)
	if err != nil {
		return probes.Spec{}, fmt.Errorf("%w: modules.%s: %w", ErrInvalidConfig, name, err)
	}
	specs, err := suite.Load(bytes.NewReader(b), suite.Options{Env: env, Getenv: noEnv})
	if err != nil {
		return probes.Spec{}, fmt.Errorf("%w: modules.%s: %w", ErrInvalidConfig, name, err)
	}
	return specs[0], nil
}
