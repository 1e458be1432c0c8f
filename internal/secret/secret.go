// Package secret holds a string type for credentials (TURN passwords, shared
// secrets, bearer tokens) that never prints itself: fmt, slog, JSON and YAML
// all see "<redacted>".
package secret

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
)

// Redacted is what a Secret prints as.
const Redacted = "<redacted>"

// Secret is a string that hides itself from logs and output. Use Reveal to
// read the value where it is needed.
type Secret string

// Reveal returns the secret value.
func (s Secret) Reveal() string { return string(s) }

// String implements fmt.Stringer.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return Redacted
}

// GoString implements fmt.GoStringer (%#v).
func (s Secret) GoString() string { return s.String() }

// Format makes every verb (%s %v %q %x ...) print the redacted form.
func (s Secret) Format(f fmt.State, verb rune) { fmt.Fprint(f, s.String()) }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText keeps secrets out of JSON and YAML output.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a secret (the value as given).
func (s *Secret) UnmarshalText(b []byte) error { *s = Secret(b); return nil }

// FromFile reads a secret from a file, trimming one trailing newline, so
// secrets can come from mounted files (Docker/ECS secrets) instead of flags.
func FromFile(path string) (Secret, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read secret file: %w", err)
	}
	return Secret(strings.TrimRight(string(b), "\r\n")), nil
}

// Resolve returns set when it is not empty, else the secret read from
// file (FromFile) when file is set, else the value of the environment
// variable env ("" when env is empty or the variable unset). The
// adapters' credentials come from the first of the three that is
// configured; an error is FromFile's.
func Resolve(set Secret, file, env string) (Secret, error) {
	switch {
	case set != "":
		return set, nil
	case file != "":
		return FromFile(file)
	case env != "":
		return Secret(os.Getenv(env)), nil
	}
	return "", nil
}
