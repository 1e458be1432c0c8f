package suite

import (
	"fmt"
	"regexp"

	"gopkg.in/yaml.v3"
)

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandEnv replaces ${NAME} in every scalar value of the tree (never in
// keys, and after parsing, so a value cannot inject YAML). "$" alone is
// left alone, so passwords with dollars survive. It returns the expanded
// values so errors can be scrubbed of them.
func expandEnv(n *yaml.Node, getenv func(string) (string, bool)) (secrets []string, err error) {
	var walk func(n *yaml.Node, isKey bool) error
	walk = func(n *yaml.Node, isKey bool) error {
		if n.Kind == yaml.ScalarNode && !isKey && envRef.MatchString(n.Value) {
			var missing string
			n.Value = envRef.ReplaceAllStringFunc(n.Value, func(ref string) string {
				name := envRef.FindStringSubmatch(ref)[1]
				v, ok := getenv(name)
				if !ok {
					missing = name
				}
				if v != "" {
					secrets = append(secrets, v)
				}
				return v
			})
			if missing != "" {
				return fmt.Errorf("line %d: environment variable %s is not set (referenced as ${%s})", n.Line, missing, missing)
			}
			n.Tag = "!!str"
			n.Style = 0
		}
		for i, c := range n.Content {
			key := n.Kind == yaml.MappingNode && i%2 == 0
			if err := walk(c, key); err != nil {
				return err
			}
		}
		return nil
	}
	return secrets, walk(n, false)
}
