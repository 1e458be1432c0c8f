package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each invalid suite is paired with the error it must produce: exit 2 and
// a message that says what to fix.
func TestInvalidConfigs(t *testing.T) {
	t.Setenv("VW_TEST_SECRET", "hunter2-secret")
	want := map[string]string{
		"invalid-unknown-top-key.yml":         `line 1: unknown top-level key "targets" (want target, defaults, probes)`,
		"invalid-unknown-kind.yml":            `probes[0] (phone): unknown probe kind: "sip" (known: [http stun turn webrtc])`,
		"invalid-typo-field.yml":              `probes[0] (stun): line 5: unknown key "timout"`,
		"invalid-kind-field.yml":              `probes[0] (stun): stun settings (line 6): yaml: unmarshal errors:`,
		"invalid-missing-env.yml":             `line 7: environment variable VW_TEST_SURELY_UNSET is not set`,
		"invalid-assert-phase.yml":            `assert: max_ice_gathring: unknown phase "ice_gathring"`,
		"invalid-relative-target.yml":         `target "/-/healthy" is relative: set target: at the top of the file or pass --target`,
		"invalid-duplicate-name.yml":          `probes[1] (stun): name "stun" already used by probes[0]`,
		"invalid-no-probes.yml":               `no probes: add at least one entry under probes:`,
		"invalid-turn-no-credentials.yml":     `turn: no credentials (username+password or secret)`,
		"invalid-bad-duration.yml":            "cannot unmarshal !!str `fast` into time.Duration",
		"invalid-require-candidate.yml":       `require_candidate "relayed": want one of host, srflx, prflx, relay`,
		"invalid-secret-in-bad-field.yml":     "cannot unmarshal !!str `REDACTED` into int",
		"invalid-settings-for-other-kind.yml": `line 6: unknown key "turn" (want name, kind, target, timeout, repeat, assert, or stun: for the stun settings)`,
	}
	files, err := filepath.Glob("testdata/invalid-*.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(want) {
		t.Fatalf("%d invalid-*.yml files, %d expectations: pair every file with its error", len(files), len(want))
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			msg, ok := want[name]
			if !ok {
				t.Fatalf("no expected error for %s", name)
			}
			stdout, stderr, code := runProbe(t, "run", "--config", f)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d; stderr: %s", code, exitUsage, stderr)
			}
			if !strings.Contains(stderr, msg) {
				t.Fatalf("stderr %q\nwant it to contain %q", stderr, msg)
			}
			if stdout != "" {
				t.Errorf("stdout not empty on config error: %q", stdout)
			}
			if strings.Contains(stderr, "hunter2") {
				t.Errorf("secret leaked in the error: %s", stderr)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no command", nil, exitUsage, "no command"},
		{"unknown command", []string{"ping"}, exitUsage, `unknown command "ping"`},
		{"help", []string{"--help"}, exitOK, ""},
		{"subcommand help", []string{"stun", "--help"}, exitOK, ""},
		{"bad format", []string{"stun", "stun:127.0.0.1", "--format", "xml"}, exitUsage, `--format "xml"`},
		{"stun without uri", []string{"stun"}, exitUsage, "stun needs at least one URI"},
		{"stun bad uri", []string{"stun", "http://x"}, exitUsage, "is a URL, not a STUN URI: write stun:HOST:3478"},
		{"turn without credentials", []string{"turn", "turn:127.0.0.1:3478"}, exitUsage, "turn needs --username"},
		{"webrtc two urls", []string{"webrtc", "http://a/whip", "http://b/whip"}, exitUsage, "exactly one WHIP URL"},
		{"relay only without turn", []string{"webrtc", "http://a/whip", "--relay-only", "--no-ice-discovery"}, exitUsage, "relay_only needs a turn:"},
		{"bad assert", []string{"http", "http://127.0.0.1/", "--assert", "max_speed=3"}, exitUsage, "want a positive duration"},
		{"run without config", []string{"run"}, exitUsage, "run needs --config"},
		{"missing config file", []string{"run", "--config", "testdata/nope.yml"}, exitUsage, "no such file"},
		{"unknown flag", []string{"stun", "--colour"}, exitUsage, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runProbe(t, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.wantCode, stderr)
			}
			if !strings.Contains(stderr, tt.wantErr) {
				t.Fatalf("stderr %q, want %q", stderr, tt.wantErr)
			}
			if tt.wantCode == exitOK && !strings.Contains(stdout+stderr, "Examples:") {
				t.Fatalf("help without examples: %q", stdout+stderr)
			}
		})
	}
}

func TestSecretFromFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(p, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := secret("", p, "")
	if err != nil || got != "s3cret" {
		t.Fatalf("secret = %q, %v", got, err)
	}
}
