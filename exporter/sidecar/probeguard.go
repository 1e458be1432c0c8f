package sidecar

import (
	"fmt"
	"path"
	"strings"

	"gopkg.in/yaml.v3"
)

// allowedTargetsKey is the module key listing the targets GET /probe may
// run the module against.
const allowedTargetsKey = "allowed_targets"

// DefaultMaxConcurrentProbes bounds GET /probe runs in flight.
const DefaultMaxConcurrentProbes = 8

// credentialKeys are the settings whose values are sent to the target (a
// bearer token, a TURN password, or a TURN REST secret whose MAC a fake
// TURN server could check offline against guesses).
var credentialKeys = map[string]bool{"token": true, "password": true, "secret": true, "credential": true}

// moduleGuard is the parsed target allow-list of one module.
type moduleGuard struct {
	allowed     []string // path.Match patterns; nil: any target
	credentials bool     // the module sends credentials to its target
}

// splitModule separates allowed_targets from the probe settings of a
// module node, and reports whether the settings carry credentials.
func splitModule(name string, mod yaml.Node) (yaml.Node, moduleGuard, error) {
	var g moduleGuard
	out := mod
	out.Content = nil
	for i := 0; i+1 < len(mod.Content); i += 2 {
		k, v := mod.Content[i], mod.Content[i+1]
		if k.Value != allowedTargetsKey {
			out.Content = append(out.Content, k, v)
			continue
		}
		if err := v.Decode(&g.allowed); err != nil {
			return out, g, fmt.Errorf("%w: modules.%s.%s: want a list of targets or patterns: %w", ErrInvalidConfig, name, allowedTargetsKey, err)
		}
		for _, p := range g.allowed {
			if _, err := path.Match(p, ""); err != nil || p == "" {
				return out, g, fmt.Errorf("%w: modules.%s.%s: %q is not a valid pattern", ErrInvalidConfig, name, allowedTargetsKey, p)
			}
		}
		if g.allowed == nil {
			g.allowed = []string{}
		}
	}
	g.credentials = hasCredentials(&out)
	if g.credentials && len(g.allowed) == 0 {
		return out, g, fmt.Errorf("%w: modules.%s sends credentials to its target: list the targets it may probe in %s (GET /probe refuses the others with 403)",
			ErrInvalidConfig, name, allowedTargetsKey)
	}
	return out, g, nil
}

func hasCredentials(n *yaml.Node) bool {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if credentialKeys[strings.ToLower(k.Value)] && v.Kind == yaml.ScalarNode && v.Value != "" {
				return true
			}
			if hasCredentials(v) {
				return true
			}
		}
	}
	for _, c := range n.Content {
		if n.Kind != yaml.MappingNode && hasCredentials(c) {
			return true
		}
	}
	return false
}

// allows reports whether target is on the module's allow-list: equal to an
// entry, or matched by it as a path.Match pattern (* does not cross "/").
func (g moduleGuard) allows(target string) bool {
	if g.allowed == nil {
		return true
	}
	for _, p := range g.allowed {
		if p == target {
			return true
		}
		if ok, _ := path.Match(p, target); ok {
			return true
		}
	}
	return false
}
