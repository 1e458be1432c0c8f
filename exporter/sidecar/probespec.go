package sidecar

import (
	"bytes"
	"fmt"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"github.com/voicewatch/voicewatch/probes"
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

// probeModule is one entry of modules:, decoded once when the
// configuration is loaded: GET /probe only binds a target to it.
type probeModule struct {
	guard  moduleGuard
	module suite.Module
}

// decodeModules decodes every module (no network), in name order so that
// the first error reported is always the same.
func (c *Config) decodeModules() (map[string]probeModule, error) {
	out := make(map[string]probeModule, len(c.Modules))
	for _, name := range sortedNames(c.Modules) {
		m, err := decodeModule(name, c.Modules[name])
		if err != nil {
			return nil, err
		}
		out[name] = m
	}
	return out, nil
}

// decodeModule decodes module name: its allowed_targets and its probe
// settings, strictly, with defaults applied and validated, apart from any
// target.
func decodeModule(name string, raw yaml.Node) (probeModule, error) {
	if raw.Kind != yaml.MappingNode {
		return probeModule{}, fmt.Errorf("%w: modules.%s: must be a mapping like {kind: stun, timeout: 5s}", ErrInvalidConfig, name)
	}
	for i := 0; i < len(raw.Content); i += 2 {
		switch k := raw.Content[i].Value; k {
		case "name", "target":
			return probeModule{}, fmt.Errorf("%w: modules.%s: %q is not allowed in a module (the module name and ?target= set it)", ErrInvalidConfig, name, k)
		}
	}
	settings, guard, err := splitModule(name, raw)
	if err != nil {
		return probeModule{}, err
	}
	m, err := suite.DecodeModule(&settings, suite.Options{})
	if err != nil {
		return probeModule{}, fmt.Errorf("%w: modules.%s: %w", ErrInvalidConfig, name, err)
	}
	return probeModule{guard: guard, module: m}, nil
}

// spec binds the module, named name, to target. A target outside the
// module's allowed_targets is ErrTargetNotAllowed, before any prober
// exists; one the kind cannot probe (e.g. not a stun: URI) is
// ErrBadTarget. Nothing is decoded.
func (m probeModule) spec(name, target string, env probes.Env) (probes.Spec, error) {
	if !m.guard.allows(target) {
		return probes.Spec{}, fmt.Errorf("%w: modules.%s.%s does not list %q", ErrTargetNotAllowed, name, allowedTargetsKey, target)
	}
	spec, err := m.module.Spec(name, target, env)
	if err != nil {
		return probes.Spec{}, fmt.Errorf("%w: modules.%s: %w", ErrBadTarget, name, err)
	}
	return spec, nil
}
