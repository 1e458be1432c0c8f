package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
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
