package sidecar

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandEnv replaces ${NAME} in every scalar value of the tree (never in
// keys, and after parsing, so a value cannot inject YAML). A lone "$" is
// kept. It returns the expanded values so errors can be scrubbed of them.
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
			// Numbers and booleans resolve as such (for int and bool
			// fields); everything else is forced to a string, quoted when
			// re-encoded, so a value cannot change the document.
			n.Tag, n.Style = "!!str", 0
			if _, err := strconv.ParseFloat(n.Value, 64); err == nil {
				n.Tag = ""
			} else if _, err := strconv.ParseBool(n.Value); err == nil {
				n.Tag = ""
			}
		}
		for i, c := range n.Content {
			if err := walk(c, n.Kind == yaml.MappingNode && i%2 == 0); err != nil {
				return err
			}
		}
		return nil
	}
	return secrets, walk(n, false)
}

// scrubbed is an error whose text has expanded secrets replaced.
type scrubbed struct {
	msg string
	err error
}

func (s *scrubbed) Error() string { return s.msg }
func (s *scrubbed) Unwrap() error { return s.err }

// scrub replaces every expanded secret (3+ characters) in err's text.
func scrub(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, s := range secrets {
		if len(s) >= 3 && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "REDACTED")
			changed = true
		}
	}
	if !changed {
		return err
	}
	return &scrubbed{msg: msg, err: err}
}
