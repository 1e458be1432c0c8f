package probes

import (
	"fmt"
	"sort"
)

// Factory builds a Prober of one kind for target. decode fills the kind's
// own configuration struct from the suite file (strictly: unknown fields are
// an error); it is never nil, and decodes nothing when the probe has no
// kind-specific settings.
type Factory func(target string, decode func(v any) error, env Env) (Prober, error)

// Registry maps a kind name to its Factory and the phases it reports.
type Registry struct {
	factories map[string]Factory
	phases    map[string][]string
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{factories: make(map[string]Factory), phases: make(map[string][]string)}
}

// Register adds kind with the phase names its probers may report (used to
// validate max_<phase> assertions). Registering a kind twice is an error.
func (r *Registry) Register(kind string, f Factory, phases []string) error {
	if _, ok := r.factories[kind]; ok {
		return fmt.Errorf("%w: %q", ErrDuplicateKind, kind)
	}
	r.factories[kind] = f
	r.phases[kind] = phases
	return nil
}

// Phases returns the phase names kind may report.
func (r *Registry) Phases(kind string) []string { return r.phases[kind] }

// Lookup returns the factory for kind.
func (r *Registry) Lookup(kind string) (Factory, error) {
	f, ok := r.factories[kind]
	if !ok {
		return nil, fmt.Errorf("%w: %q (known: %v)", ErrUnknownKind, kind, r.Kinds())
	}
	return f, nil
}

// Kinds returns the registered kind names, sorted.
func (r *Registry) Kinds() []string {
	kinds := make([]string, 0, len(r.factories))
	for k := range r.factories {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return kinds
}
