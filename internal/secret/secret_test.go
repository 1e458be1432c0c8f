package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestSecretNeverPrints(t *testing.T) {
	const value = "hunter2-very-secret"
	s := Secret(value)
	type holder struct {
		Password Secret `json:"password" yaml:"password"`
	}
	var outputs []string
	for _, verb := range []string{"%s", "%v", "%+v", "%#v", "%q", "%x", "%d"} {
		outputs = append(outputs, fmt.Sprintf(verb, s), fmt.Sprintf(verb, holder{s}))
	}
	j, _ := json.Marshal(holder{s})
	y, _ := yaml.Marshal(holder{s})
	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("x", "password", s, "h", holder{s})
	outputs = append(outputs, string(j), string(y), logBuf.String())
	for _, o := range outputs {
		if strings.Contains(o, value) || strings.Contains(o, fmt.Sprintf("%x", value)) {
			t.Errorf("secret leaked in %q", o)
		}
	}
	if s.Reveal() != value {
		t.Fatal("Reveal lost the value")
	}
	var back holder
	if err := yaml.Unmarshal([]byte("password: abc\n"), &back); err != nil || back.Password.Reveal() != "abc" {
		t.Fatalf("yaml decode: %v %q", err, back.Password.Reveal())
	}
}

// TestResolve: a set value wins over the file, the file over the
// environment; a missing file is an error.
func TestResolve(t *testing.T) {
	file := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("VOICEWATCH_TEST_RESOLVE", "from-env")
	for _, tc := range []struct {
		name      string
		set       Secret
		file, env string
		want      string
		wantErr   bool
	}{
		{"set wins", "given", file, "VOICEWATCH_TEST_RESOLVE", "given", false},
		{"file before env", "", file, "VOICEWATCH_TEST_RESOLVE", "from-file", false},
		{"env", "", "", "VOICEWATCH_TEST_RESOLVE", "from-env", false},
		{"unset env", "", "", "VOICEWATCH_TEST_RESOLVE_UNSET", "", false},
		{"nothing", "", "", "", "", false},
		{"missing file", "", filepath.Join(t.TempDir(), "none"), "VOICEWATCH_TEST_RESOLVE", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Resolve(tc.set, tc.file, tc.env)
			if got.Reveal() != tc.want || (err != nil) != tc.wantErr {
				t.Errorf("Resolve = %q, %v; want %q (error: %v)", got.Reveal(), err, tc.want, tc.wantErr)
			}
		})
	}
}
