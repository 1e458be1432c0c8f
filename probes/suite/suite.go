package suite

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/voicewatch/voicewatch/internal/yamlenv"
	"github.com/voicewatch/voicewatch/probes"
)

// File is the YAML layout of a suite.
type File struct {
	// Target is the base URL relative probe targets ("/whip") resolve
	// against; --target overrides it. Default: none.
	Target string `yaml:"target"`
	// Defaults apply to every probe.
	Defaults Defaults `yaml:"defaults"`
	// Probes are the checks, run in this order (in parallel with --parallel).
	Probes []Probe `yaml:"probes"`
}

// Defaults are per-suite defaults.
type Defaults struct {
	// Timeout per attempt. Default: 10s.
	Timeout time.Duration `yaml:"timeout"`
	// Repeat is the number of attempts per probe. Default: 1.
	Repeat int `yaml:"repeat"`
	// Kinds holds default settings per kind, under the kind's name
	// (stun:, turn:, webrtc:, http:).
	Kinds map[string]yaml.Node `yaml:",inline"`
}

// Probe is one entry of probes:.
type Probe struct {
	// Name identifies the probe in reports and metrics. Default: the target.
	Name string `yaml:"name"`
	// Kind is stun, turn, webrtc or http. Required.
	Kind string `yaml:"kind"`
	// Target is a URI (stun:, turn:), a URL, or a path relative to the
	// suite's target. Required.
	Target string `yaml:"target"`
	// Timeout overrides defaults.timeout.
	Timeout time.Duration `yaml:"timeout"`
	// Repeat overrides defaults.repeat.
	Repeat int `yaml:"repeat"`
	// Assert are the probe's assertions.
	Assert probes.Assertions `yaml:"assert"`
	// Settings holds the kind's own settings under the kind's name.
	Settings map[string]yaml.Node `yaml:",inline"`
}

// Options control loading.
type Options struct {
	// Target overrides the file's base target (the --target flag).
	Target string
	// Registry resolves kinds. Default: DefaultRegistry().
	Registry *probes.Registry
	// Env is passed to every module that binds a target (logger, network).
	Env probes.Env
	// Getenv looks up ${NAME} references. Default: os.LookupEnv.
	Getenv func(string) (string, bool)
	// Timeout and Repeat, when set, override the file's defaults and
	// every probe's own values (the --timeout and --repeat flags).
	Timeout time.Duration
	Repeat  int
}

// LoadFile reads and builds the suite at path.
func LoadFile(path string, opts Options) ([]probes.Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return Load(bytes.NewReader(b), opts)
}

// Load decodes a suite strictly, expands ${ENV}, validates it and builds
// one Spec per probe. Every error wraps ErrConfig and never contains an
// expanded secret.
func Load(r io.Reader, opts Options) ([]probes.Spec, error) {
	if opts.Registry == nil {
		opts.Registry = DefaultRegistry()
	}
	if opts.Getenv == nil {
		opts.Getenv = os.LookupEnv
	}
	var root yaml.Node
	if err := yaml.NewDecoder(r).Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: the file is empty", ErrConfig)
		}
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	secrets, err := yamlenv.Expand(&root, opts.Getenv)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	specs, err := build(&root, opts)
	if err != nil {
		return nil, yamlenv.Scrub(fmt.Errorf("%w: %w", ErrConfig, err), secrets)
	}
	return specs, nil
}

func build(root *yaml.Node, opts Options) ([]probes.Spec, error) {
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: the file must be a mapping with target, defaults and probes", doc.Line)
	}
	for i := 0; i < len(doc.Content); i += 2 {
		switch k := doc.Content[i]; k.Value {
		case "target", "defaults", "probes":
		default:
			return nil, fmt.Errorf("line %d: unknown top-level key %q (want target, defaults, probes)", k.Line, k.Value)
		}
	}
	// Decode from the node itself (not re-encoded) so errors carry the
	// file's line numbers; unknown keys below the top level land in the
	// inline maps and are rejected in buildProbe.
	var f File
	if err := doc.Decode(&f); err != nil {
		return nil, err
	}
	if opts.Target != "" {
		f.Target = opts.Target
	}
	if len(f.Probes) == 0 {
		return nil, errors.New("no probes: add at least one entry under probes:")
	}
	kinds := opts.Registry.Kinds()
	for k := range f.Defaults.Kinds {
		if _, err := opts.Registry.Lookup(k); err != nil {
			return nil, fmt.Errorf("defaults: unknown key %q (want timeout, repeat or a kind: %s)", k, strings.Join(kinds, ", "))
		}
	}
	if f.Defaults.Timeout < 0 || f.Defaults.Repeat < 0 {
		return nil, errors.New("defaults: timeout and repeat must not be negative")
	}
	seen := map[string]int{}
	specs := make([]probes.Spec, 0, len(f.Probes))
	for i, p := range f.Probes {
		where := fmt.Sprintf("probes[%d]", i)
		if p.Name != "" {
			where += fmt.Sprintf(" (%s)", p.Name)
		}
		spec, err := buildProbe(f, p, opts)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if j, dup := seen[spec.Name]; dup {
			return nil, fmt.Errorf("%s: name %q already used by probes[%d]; names must be unique", where, spec.Name, j)
		}
		seen[spec.Name] = i
		specs = append(specs, spec)
	}
	return specs, nil
}

func buildProbe(f File, p Probe, opts Options) (probes.Spec, error) {
	m, err := decodeModule(p, f.Defaults, opts)
	if err != nil {
		return probes.Spec{}, err
	}
	target, err := resolveTarget(f.Target, p.Target)
	if err != nil {
		return probes.Spec{}, err
	}
	return m.Spec(p.Name, target, opts.Env)
}

// resolveTarget joins a relative target ("/whip") to the base.
func resolveTarget(base, target string) (string, error) {
	if target == "" {
		return "", errors.New("target is required")
	}
	if !strings.HasPrefix(target, "/") {
		return target, nil
	}
	if base == "" {
		return "", fmt.Errorf("target %q is relative: set target: at the top of the file or pass --target", target)
	}
	b, err := url.Parse(base)
	if err != nil || b.Scheme == "" || b.Host == "" {
		return "", fmt.Errorf("base target %q is not an absolute URL", probes.RedactTarget(base))
	}
	return strings.TrimSuffix(b.String(), "/") + target, nil
}

// strict decodes n into v rejecting unknown fields. yaml.Node.Decode has
// no KnownFields switch, so the node is re-encoded and decoded again.
func strict(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	d := yaml.NewDecoder(bytes.NewReader(b))
	d.KnownFields(true)
	if err := d.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

func firstNonZero[T comparable](vals ...T) T {
	var zero T
	for _, v := range vals {
		if v != zero {
			return v
		}
	}
	return zero
}
