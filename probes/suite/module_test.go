package suite

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/voicewatch/voicewatch/probes"
	probehttp "github.com/voicewatch/voicewatch/probes/http"
	"github.com/voicewatch/voicewatch/probes/stun"
	"github.com/voicewatch/voicewatch/probes/turn"
	"github.com/voicewatch/voicewatch/probes/webrtc"
)

func node(t *testing.T, doc string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &n); err != nil {
		t.Fatal(err)
	}
	return n.Content[0]
}

// TestModuleBindsTargets: a module of every kind decodes without a
// target, then binds a target of its kind and refuses one of another
// kind with the kind's own sentinel.
func TestModuleBindsTargets(t *testing.T) {
	tests := []struct {
		module     string
		good, bad  string
		badErr     error
		wantRepeat int
	}{
		{"{kind: stun, stun: {transports: [udp]}}", "stun:127.0.0.1:3478", "turn:127.0.0.1:3478", stun.ErrBadURI, 1},
		{"{kind: turn, repeat: 3, turn: {username: u, password: p}}", "turns:127.0.0.1:5349?transport=tcp", "stun:127.0.0.1", turn.ErrBadURI, 3},
		{"{kind: webrtc, webrtc: {loopback: true}}", "http://127.0.0.1:8080/whip", "stun:127.0.0.1", webrtc.ErrBadURL, 1},
		{"{kind: http, http: {expected_status: 204}}", "http://127.0.0.1:8080/-/healthy", "/-/healthy", probehttp.ErrBadURL, 1},
	}
	for _, tt := range tests {
		t.Run(tt.module, func(t *testing.T) {
			m, err := DecodeModule(node(t, tt.module), Options{})
			if err != nil {
				t.Fatal(err)
			}
			spec, err := m.Spec("m", tt.good, probes.Env{})
			if err != nil {
				t.Fatalf("bind %s: %v", tt.good, err)
			}
			if spec.Name != "m" || spec.Target != tt.good || spec.Kind != m.Kind || spec.Prober == nil ||
				spec.Timeout != probes.DefaultTimeout || spec.Repeat != tt.wantRepeat {
				t.Errorf("spec %+v", spec)
			}
			if _, err := m.Spec("m", tt.bad, probes.Env{}); !errors.Is(err, tt.badErr) {
				t.Errorf("bind %s: %v, want %v", tt.bad, err, tt.badErr)
			}
		})
	}
}

// TestModuleErrorsAtDecode: what can never work is an error when the
// module is decoded, before any target exists.
func TestModuleErrorsAtDecode(t *testing.T) {
	tests := []struct {
		name, module string
		wantErr      error
		wantText     string
	}{
		{"stun transport", "{kind: stun, stun: {transports: [sctp]}}", stun.ErrBadTransport, `"sctp"`},
		{"turn without credentials", "{kind: turn, turn: {username: u}}", turn.ErrNoCredentials, "no credentials"},
		{"turn ca_file missing", "{kind: turn, turn: {secret: s, ca_file: /nonexistent/ca.pem}}", turn.ErrCAFile, "bad ca_file"},
		{"webrtc greeting", "{kind: webrtc, webrtc: {greeting: shout}}", webrtc.ErrBadConfig, `greeting "shout"`},
		{"webrtc relay_only without TURN", "{kind: webrtc, webrtc: {relay_only: true}}", webrtc.ErrBadICEServer, "relay_only"},
		{"http status", "{kind: http, http: {expected_status: 2000}}", probehttp.ErrBadConfig, "expected_status 2000"},
		{"unknown setting", "{kind: stun, stun: {transport: [udp]}}", ErrConfig, "field transport not found"},
		{"unknown phase", "{kind: stun, assert: {max_allocate: 1s}}", ErrConfig, "allocate"},
		{"unknown key", "{kind: stun, turn: {}}", ErrConfig, `unknown key "turn"`},
		{"unknown kind", "{kind: ftp}", probes.ErrUnknownKind, `"ftp"`},
		{"target", "{kind: stun, target: 'stun:x'}", ErrConfig, "name and target are not part of a module"},
		{"not a mapping", "[stun]", ErrConfig, "a module is a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeModule(node(t, tt.module), Options{})
			if !errors.Is(err, tt.wantErr) || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("err = %v, want %v (and ErrConfig) containing %q", err, tt.wantErr, tt.wantText)
			}
		})
	}
}

// countingKind counts how often its settings are decoded and how often a
// target is bound.
type countingKind struct{ fills, binds int }

func (c *countingKind) kind() probes.Kind {
	return probes.Kind{Name: "count", Phases: []string{"only"}, Decode: func(fill func(any) error) (probes.Module, error) {
		c.fills++
		var settings struct {
			N int `yaml:"n"`
		}
		if err := fill(&settings); err != nil {
			return nil, err
		}
		return probes.ModuleFunc(func(string, probes.Env) (probes.Prober, error) {
			c.binds++
			return probes.ProberFunc(func(ctx context.Context) probes.Result { return probes.Result{Success: true} }), nil
		}), nil
	}}
}

// TestModuleDecodesOnce: binding a module to any number of targets decodes
// its settings no more; only the decode does.
func TestModuleDecodesOnce(t *testing.T) {
	c := &countingKind{}
	reg := probes.NewRegistry()
	if err := reg.Register(c.kind()); err != nil {
		t.Fatal(err)
	}
	m, err := DecodeModule(node(t, "{kind: count, count: {n: 3}}"), Options{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if _, err := m.Spec("m", "target-"+strconv.Itoa(i), probes.Env{}); err != nil {
			t.Fatal(err)
		}
	}
	if c.fills != 1 || c.binds != 100 {
		t.Fatalf("decoded %d times, bound %d times; want 1 and 100", c.fills, c.binds)
	}
}
