package suite

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/voicewatch/voicewatch/probes"
)

// Module is a probe entry without name and target, decoded once: the
// kind's settings (strictly, defaults applied, validated), the timeout,
// repeat count and assertions. It is blackbox_exporter's module: the
// sidecar decodes its modules: into Modules when it loads its
// configuration, and GET /probe only binds a target with [Module.Spec].
// Every suite entry is built the same way.
type Module struct {
	// Kind is the probe kind.
	Kind string
	// Timeout bounds each attempt.
	Timeout time.Duration
	// Repeat is the number of attempts.
	Repeat int
	// Assert are the module's assertions.
	Assert probes.Assertions

	probe probes.Module
}

// DecodeModule decodes a module: a probe entry of the suite format without
// name and target ({kind, timeout, repeat, assert, <kind>: {...}}). Unknown
// keys are errors. ${ENV} references are not expanded: the caller expands
// the document it comes from. It uses no network.
func DecodeModule(n *yaml.Node, opts Options) (Module, error) {
	if opts.Registry == nil {
		opts.Registry = DefaultRegistry()
	}
	if n.Kind != yaml.MappingNode {
		return Module{}, fmt.Errorf("%w: line %d: a module is a mapping like {kind: stun, timeout: 5s}", ErrConfig, n.Line)
	}
	var p Probe
	if err := n.Decode(&p); err != nil {
		return Module{}, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if p.Name != "" || p.Target != "" {
		return Module{}, fmt.Errorf("%w: line %d: name and target are not part of a module: they are set when it is bound", ErrConfig, n.Line)
	}
	m, err := decodeModule(p, Defaults{}, opts)
	if err != nil {
		return Module{}, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return m, nil
}

// decodeModule decodes entry p over the suite's defaults: its kind's
// settings are defaults.<kind> overlaid with p's own <kind>: block.
func decodeModule(p Probe, def Defaults, opts Options) (Module, error) {
	if p.Kind == "" {
		return Module{}, fmt.Errorf("kind is required (one of %s)", strings.Join(opts.Registry.Kinds(), ", "))
	}
	kind, err := opts.Registry.Lookup(p.Kind)
	if err != nil {
		return Module{}, err
	}
	for k := range p.Settings {
		if k != p.Kind {
			n := p.Settings[k]
			return Module{}, fmt.Errorf("line %d: unknown key %q (want name, kind, target, timeout, repeat, assert, or %s: for the %s settings)", n.Line, k, p.Kind, p.Kind)
		}
	}
	if err := p.Assert.CheckPhases(kind.Phases); err != nil {
		return Module{}, fmt.Errorf("assert: %w", err)
	}
	if p.Timeout < 0 || p.Repeat < 0 {
		return Module{}, errors.New("timeout and repeat must not be negative")
	}
	defNode, hasDef := def.Kinds[p.Kind]
	own, hasOwn := p.Settings[p.Kind]
	fill := func(v any) error {
		if hasDef {
			if err := strict(&defNode, v); err != nil {
				return fmt.Errorf("defaults.%s (line %d): %w", p.Kind, defNode.Line, err)
			}
		}
		if hasOwn {
			if err := strict(&own, v); err != nil {
				return fmt.Errorf("%s settings (line %d): %w", p.Kind, own.Line, err)
			}
		}
		return nil
	}
	probe, err := kind.Decode(fill)
	if err != nil {
		return Module{}, err
	}
	return Module{
		Kind:    p.Kind,
		Timeout: firstNonZero(opts.Timeout, p.Timeout, def.Timeout, probes.DefaultTimeout),
		Repeat:  firstNonZero(opts.Repeat, p.Repeat, def.Repeat, 1),
		Assert:  p.Assert,
		probe:   probe,
	}, nil
}

// Spec binds m to target: a probe named name (default: the target without
// credentials) that runs m against target. It decodes nothing and opens
// no connection; an error means the target does not fit the kind (e.g.
// not a stun: URI).
func (m Module) Spec(name, target string, env probes.Env) (probes.Spec, error) {
	if m.probe == nil {
		return probes.Spec{}, errors.New("suite: Module not decoded (use DecodeModule)")
	}
	env = env.WithDefaults()
	env.Timeout = m.Timeout
	prober, err := m.probe.Prober(target, env)
	if err != nil {
		return probes.Spec{}, err
	}
	if name == "" {
		name = probes.RedactTarget(target)
	}
	return probes.Spec{Name: name, Kind: m.Kind, Target: target, Prober: prober,
		Timeout: m.Timeout, Repeat: m.Repeat, Assert: m.Assert}, nil
}
