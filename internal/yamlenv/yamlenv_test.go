package yamlenv

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// A value from the environment is data, never YAML: it cannot add keys; a
// comment mentioning ${X} is not expanded; types survive.
func TestExpand(t *testing.T) {
	var n yaml.Node
	src := "# uses ${NOT_SET_ANYWHERE}\na: ${X}\nb: price $5\nport: ${P}\non: ${B}\n"
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	secrets, err := Expand(&n, env(map[string]string{"X": "1\nc: injected", "P": "8080", "B": "true"}))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		A    string `yaml:"a"`
		B    string `yaml:"b"`
		Port int    `yaml:"port"`
		On   bool   `yaml:"on"`
	}
	if err := DecodeStrict(&n, &m); err != nil {
		t.Fatal(err)
	}
	if m.A != "1\nc: injected" || m.B != "price $5" || m.Port != 8080 || !m.On {
		t.Fatalf("got %+v", m)
	}
	if len(secrets) != 3 {
		t.Errorf("secrets %q", secrets)
	}
}

func TestExpandMissing(t *testing.T) {
	var n yaml.Node
	_ = yaml.Unmarshal([]byte("a: 1\nb: ${NOPE}\n"), &n)
	_, err := Expand(&n, env(nil))
	if err == nil || err.Error() != "line 2: environment variable NOPE is not set (referenced as ${NOPE})" {
		t.Fatalf("err = %v", err)
	}
}

func TestDecodeStrictUnknownField(t *testing.T) {
	var n yaml.Node
	_ = yaml.Unmarshal([]byte("a: 1\nzzz: 2\n"), &n)
	var v struct {
		A int `yaml:"a"`
	}
	if err := DecodeStrict(&n, &v); err == nil || !strings.Contains(err.Error(), "field zzz not found") {
		t.Fatalf("err = %v", err)
	}
}

func TestScrub(t *testing.T) {
	base := errors.New("bad value `hunter2-secret` and `hunter2-se...` for password hunter2-secret")
	err := Scrub(base, []string{"hunter2-secret"})
	if strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("leaked: %v", err)
	}
	if !errors.Is(err, base) {
		t.Error("Unwrap lost the original error")
	}
	if Scrub(nil, nil) != nil {
		t.Error("nil error")
	}
}

// TestDecodeStrictLineNumbers: an unknown field is reported at its line in
// the user's file, though re-encoding drops blank lines and reflows flow
// style.
func TestDecodeStrictLineNumbers(t *testing.T) {
	doc := "# comment\n\na: 1\n\n\n# another\nb: {c: 1,\n  d: 2}\n\nnested:\n\n  ok: 1\n\n  typo: 2\nzzz: 3\n"
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &n); err != nil {
		t.Fatal(err)
	}
	var v struct {
		A      int            `yaml:"a"`
		B      map[string]int `yaml:"b"`
		Nested struct {
			OK int `yaml:"ok"`
		} `yaml:"nested"`
	}
	err := DecodeStrict(&n, &v)
	if err == nil {
		t.Fatal("unknown fields accepted")
	}
	for _, want := range []string{"line 14: field typo not found", "line 15: field zzz not found"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// loadable is a config as Load sees one: a default and a check.
type loadable struct {
	Port int    `yaml:"port"`
	Name string `yaml:"name"`
}

func (c loadable) WithDefaults() loadable {
	if c.Port == 0 {
		c.Port = 8080
	}
	return c
}

func (c loadable) Validate() error {
	if c.Port < 0 {
		return errors.New("port must be positive")
	}
	return nil
}

var errWrapped = errors.New("invalid")

// TestLoad: decoded strictly, then defaults, then validation; an empty
// document is every default; a decoding error goes through wrap, a
// validation error does not.
func TestLoad(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("%w: %w", errWrapped, err) }
	for _, tc := range []struct {
		name, yaml string
		want       loadable
		wantErr    string
		wrapped    bool
	}{
		{name: "empty", yaml: "", want: loadable{Port: 8080}},
		{name: "defaults fill zero fields", yaml: "name: x\n", want: loadable{Port: 8080, Name: "x"}},
		{name: "set fields stay", yaml: "port: 9\n", want: loadable{Port: 9}},
		{name: "unknown field", yaml: "prot: 9\n", wantErr: "field prot not found", wrapped: true},
		{name: "invalid", yaml: "port: -1\n", wantErr: "port must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Load[loadable](strings.NewReader(tc.yaml), wrap)
			if tc.wantErr == "" {
				if err != nil || got != tc.want {
					t.Fatalf("Load = %+v, %v; want %+v", got, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || errors.Is(err, errWrapped) != tc.wrapped {
				t.Fatalf("Load error = %v, want %q (wrapped: %v)", err, tc.wantErr, tc.wrapped)
			}
		})
	}
}
