package suite

import (
	"github.com/voicewatch/voicewatch/internal/yamlenv"
	"github.com/voicewatch/voicewatch/probes/probemetrics"

	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"gopkg.in/yaml.v3"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestLoad(t *testing.T) {
	const doc = `
target: https://staging.example.com/
defaults:
  timeout: 4s
  repeat: 2
  turn:
    username: probe
    password: ${PW}
probes:
  - kind: stun
    target: stun:127.0.0.1:3478
  - name: turn
    kind: turn
    target: turn:127.0.0.1:3478?transport=udp
    timeout: 1s
    turn:
      echo_count: 5
  - name: call
    kind: webrtc
    target: /whip
    repeat: 5
    webrtc:
      token: ${TOKEN}
    assert:
      max_ice_gathering: 3s
      min_success_ratio: 0.8
`
	specs, err := Load(strings.NewReader(doc), Options{Getenv: env(map[string]string{"PW": "p$w: {x}", "TOKEN": "t"})})
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 3 {
		t.Fatalf("%d specs", len(specs))
	}
	tests := []struct {
		i            int
		name, target string
		timeout      time.Duration
		repeat       int
	}{
		{0, "stun:127.0.0.1:3478", "stun:127.0.0.1:3478", 4 * time.Second, 2},
		{1, "turn", "turn:127.0.0.1:3478?transport=udp", time.Second, 2},
		{2, "call", "https://staging.example.com/whip", 4 * time.Second, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := specs[tt.i]
			if s.Name != tt.name || s.Target != tt.target || s.Timeout != tt.timeout || s.Repeat != tt.repeat {
				t.Fatalf("spec %+v", s)
			}
		})
	}
	if specs[2].Assert.MaxPhase["ice_gathering"] != 3*time.Second || specs[2].Assert.MinSuccessRatio != 0.8 {
		t.Fatalf("assertions %+v", specs[2].Assert)
	}
}

func TestTargetOverrideAndFlags(t *testing.T) {
	const doc = "target: https://prod.example.com\nprobes:\n  - {name: h, kind: http, target: /-/healthy, repeat: 3}\n"
	specs, err := Load(strings.NewReader(doc), Options{Target: "https://staging.example.com", Timeout: time.Second, Repeat: 7})
	if err != nil {
		t.Fatal(err)
	}
	if specs[0].Target != "https://staging.example.com/-/healthy" || specs[0].Repeat != 7 || specs[0].Timeout != time.Second {
		t.Fatalf("spec %+v", specs[0])
	}
}

// A value from the environment is data, never YAML: it cannot add keys.
func TestEnvExpansionCannotInject(t *testing.T) {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("a: ${X}\nb: price $5\n"), &n); err != nil {
		t.Fatal(err)
	}
	if _, err := yamlenv.Expand(&n, env(map[string]string{"X": "1\nc: injected"})); err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := n.Decode(&m); err != nil {
		t.Fatal(err)
	}
	if len(m) != 2 || m["a"] != "1\nc: injected" || m["b"] != "price $5" {
		t.Fatalf("got %q", m)
	}
}

func TestErrorsWrapErrConfig(t *testing.T) {
	_, err := Load(strings.NewReader("probes: []\n"), Options{})
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("err %v does not wrap ErrConfig", err)
	}
}

func TestDefaultRegistryKinds(t *testing.T) {
	got := strings.Join(DefaultRegistry().Kinds(), ",")
	if got != "http,stun,turn,webrtc" {
		t.Fatalf("kinds %s", got)
	}
	for _, k := range []string{probemetrics.KindSTUN, probemetrics.KindTURN, probemetrics.KindWebRTC, probemetrics.KindHTTP} {
		if len(DefaultRegistry().Phases(k)) == 0 {
			t.Errorf("kind %s registered without phases", k)
		}
	}
}
