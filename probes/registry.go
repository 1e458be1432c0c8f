package probes

import (
	"fmt"
	"sort"
)

// Registry maps a kind name to its [Kind].
type Registry struct {
	kinds map[string]Kind
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{kinds: make(map[string]Kind)} }

// Register adds k. A kind without a name or Decode, or a name registered
// twice, is an error.
func (r *Registry) Register(k Kind) error {
	if k.Name == "" || k.Decode == nil {
		return fmt.Errorf("%w: a kind needs a name and Decode", ErrBadKind)
	}
	if _, ok := r.kinds[k.Name]; ok {
		return fmt.Errorf("%w: %q", ErrDuplicateKind, k.Name)
	}
	r.kinds[k.Name] = k
	return nil
}

// Phases returns the phase names kind may report.
func (r *Registry) Phases(kind string) []string { return r.kinds[kind].Phases }

// Lookup returns the descriptor of kind.
func (r *Registry) Lookup(kind string) (Kind, error) {
	k, ok := r.kinds[kind]
	if !ok {
		return Kind{}, fmt.Errorf("%w: %q (known: %v)", ErrUnknownKind, kind, r.Kinds())
	}
	return k, nil
}

// Kinds returns the registered kind names, sorted.
func (r *Registry) Kinds() []string {
	kinds := make([]string, 0, len(r.kinds))
	for k := range r.kinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return kinds
}
