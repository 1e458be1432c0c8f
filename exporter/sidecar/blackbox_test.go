package sidecar

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func probeURL(base, module, target string) string {
	return base + "/probe?" + url.Values{"module": {module}, "target": {target}}.Encode()
}

// TestProbeTargetOfAnotherKind: GET /probe binds the target to the module
// decoded at load; a target the kind cannot probe is 400 with the kind's
// reason, and credentials in it are not echoed.
func TestProbeTargetOfAnotherKind(t *testing.T) {
	sc := startSidecar(t, `
modules:
  stun_udp: {kind: stun, stun: {transports: [udp]}}
  turn_rest:
    kind: turn
    turn: {secret: "s3cret-shared"}
    allowed_targets: ["turn:*"]
`)
	tests := []struct {
		name, module, target, want string
	}{
		{"http URL for stun", "stun_udp", "http://127.0.0.1/", `stun: bad URI "http://127.0.0.1/"`},
		{"turn URI for stun", "stun_udp", "turn:127.0.0.1:3478", "want stun:host[:port]"},
		{"credentials in a turn URI", "turn_rest", "turn:probe:hunter2-pw@127.0.0.1:3478", `turn: bad URI "turn:REDACTED@127.0.0.1:3478"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := get(t, probeURL(sc.base, tt.module, tt.target))
			if code != http.StatusBadRequest || !strings.Contains(body, tt.want) {
				t.Fatalf("%d %q, want 400 with %q", code, body, tt.want)
			}
			if strings.Contains(body, "hunter2-pw") || strings.Contains(body, "s3cret-shared") {
				t.Errorf("body leaks a credential: %s", body)
			}
		})
	}
}

// TestProbeModulesReload: Reload (SIGHUP) decodes modules: anew; GET
// /probe then binds targets to the new modules, and a configuration whose
// module cannot work is refused while the old modules keep serving.
func TestProbeModulesReload(t *testing.T) {
	health := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer health.Close()
	conf := func(modules string) Config {
		cfg, err := ParseConfig(strings.NewReader("modules:\n"+modules), LoadOptions{Getenv: env(nil)})
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	var sc *running
	success := func(module string) string {
		t.Helper()
		code, body := get(t, probeURL(sc.base, module, health.URL))
		if code != http.StatusOK {
			return fmt.Sprintf("status %d", code)
		}
		for line := range strings.SplitSeq(body, "\n") {
			if strings.HasPrefix(line, "probe_success{") {
				return line[strings.LastIndex(line, " ")+1:]
			}
		}
		return "no probe_success"
	}
	sc = startSidecar(t, "modules:\n  health: {kind: http, timeout: 5s}\n")
	if got := success("health"); got != "1" {
		t.Fatalf("health before reload: %s", got)
	}
	if got := success("health_204"); got != "status 400" {
		t.Fatalf("health_204 before reload: %s", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := sc.Reload(ctx, conf("  health: {kind: http, timeout: 5s, http: {expected_status: 204}}\n  health_204: {kind: http}\n")); err != nil {
		t.Fatal(err)
	}
	if got := success("health"); got != "0" {
		t.Errorf("health after reload (expects 204, gets 200): %s, want 0", got)
	}
	if got := success("health_204"); got != "1" {
		t.Errorf("health_204 after reload: %s, want 1", got)
	}
	var broken yaml.Node
	if err := yaml.Unmarshal([]byte("{kind: webrtc, webrtc: {greeting: shout}}"), &broken); err != nil {
		t.Fatal(err)
	}
	bad := Config{Modules: map[string]yaml.Node{"broken": *broken.Content[0]}}
	if err := sc.Reload(ctx, bad); !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "greeting") {
		t.Fatalf("reload with a module that cannot work: %v", err)
	}
	if got := success("health_204"); got != "1" {
		t.Errorf("health_204 after the refused reload: %s, want 1", got)
	}
}
