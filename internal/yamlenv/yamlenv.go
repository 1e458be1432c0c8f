// Package yamlenv is how voicewatch reads its YAML files: ${NAME}
// environment references are expanded in parsed values (so an environment
// value is data and can never add YAML keys, and comments are left alone),
// the tree is decoded strictly (an unknown field is an error), and errors
// are scrubbed of the expanded values, which are usually secrets.
package yamlenv

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// Expand replaces ${NAME} in every scalar value of the tree (never in keys)
// with getenv(NAME). An unset variable is an error naming it and its line; a
// lone "$" is kept, so passwords with dollars survive. Numbers and booleans
// keep their type; every other expanded value is forced to a string. It
// returns the non-empty expanded values so errors can be scrubbed of them.
func Expand(n *yaml.Node, getenv func(string) (string, bool)) (secrets []string, err error) {
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

// DecodeStrict decodes n into v, rejecting unknown fields. yaml.v3's
// Node.Decode has no strict mode, so the tree is re-encoded and decoded
// strictly; the line numbers in the errors are mapped back to n's, so they
// point into the user's file even when re-encoding moved lines (comments,
// blank lines, flow style).
func DecodeStrict(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	err = dec.Decode(v)
	if err == nil || errors.Is(err, io.EOF) {
		return nil
	}
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	var again yaml.Node
	if yaml.Unmarshal(b, &again) != nil {
		return err
	}
	lines := map[int]int{}
	mapLines(&again, n, lines)
	out := &yaml.TypeError{Errors: make([]string, len(te.Errors))}
	for i, e := range te.Errors {
		out.Errors[i] = errLine.ReplaceAllStringFunc(e, func(m string) string {
			re, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(m, "line "), ":"))
			if orig, ok := lines[re]; ok {
				return "line " + strconv.Itoa(orig) + ":"
			}
			return m
		})
	}
	return out
}

// errLine is the position yaml.v3 puts at the start of a decoding error.
var errLine = regexp.MustCompile(`^line [0-9]+:`)

// mapLines records, for every node of re (the re-encoded tree), the line of
// the same node in orig. The trees have the same shape: re was encoded from
// orig. The first node on a line wins.
func mapLines(re, orig *yaml.Node, lines map[int]int) {
	if re.Kind == yaml.DocumentNode && orig.Kind != yaml.DocumentNode && len(re.Content) == 1 {
		re = re.Content[0]
	}
	if orig.Kind == yaml.DocumentNode && re.Kind != yaml.DocumentNode && len(orig.Content) == 1 {
		orig = orig.Content[0]
	}
	if _, ok := lines[re.Line]; !ok {
		lines[re.Line] = orig.Line
	}
	for i := range min(len(re.Content), len(orig.Content)) {
		mapLines(re.Content[i], orig.Content[i], lines)
	}
}

var quoted = regexp.MustCompile("`[^`]*`")

// Scrub replaces every expanded value (3+ characters) in err's text with
// REDACTED, including the truncated "`prefix...`" form yaml uses to quote
// long values. errors.Is/As still see the original error.
func Scrub(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	secrets = append([]string(nil), secrets...)
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	changed := false
	for _, s := range secrets {
		if len(s) >= 3 && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "REDACTED")
			changed = true
		}
	}
	msg = quoted.ReplaceAllStringFunc(msg, func(q string) string {
		v := strings.TrimSuffix(strings.Trim(q, "`"), "...")
		for _, s := range secrets {
			if len(v) >= 3 && strings.HasPrefix(s, v) {
				changed = true
				return "`REDACTED`"
			}
		}
		return q
	})
	if !changed {
		return err
	}
	return &scrubbed{msg: msg, err: err}
}

type scrubbed struct {
	msg string
	err error
}

func (s *scrubbed) Error() string { return s.msg }
func (s *scrubbed) Unwrap() error { return s.err }

// Loadable is a configuration type as every loader treats it: WithDefaults
// fills zero fields with their documented defaults (and changes nothing
// else), Validate checks the result and says what to fix.
type Loadable[T any] interface {
	WithDefaults() T
	Validate() error
}

// Load is the loader of a configuration that takes no ${NAME} references
// (alerts, dashboards, the HTTP guard, the WAF): it decodes r strictly (an
// unknown field is an error; an empty document is the zero value), then
// returns the value through WithDefaults and Validate. A decoding error
// goes through wrap, which adds the caller's sentinel and hint; a read
// error and Validate's error are returned as they are.
func Load[T Loadable[T]](r io.Reader, wrap func(error) error) (T, error) {
	var c, zero T
	b, err := io.ReadAll(r)
	if err != nil {
		return zero, fmt.Errorf("read config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return zero, wrap(err)
	}
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return zero, err
	}
	return c, nil
}
