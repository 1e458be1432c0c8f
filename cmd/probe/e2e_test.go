package main

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voicewatch/voicewatch/internal/coturntest"
	"github.com/voicewatch/voicewatch/probes/webrtc/webrtctest"
)

var formats = []string{"text", "json", "junit", "markdown"}

// checkFormat asserts the output parses in its format and lists every probe.
func checkFormat(t *testing.T, format, out string, names ...string) {
	t.Helper()
	switch format {
	case "json":
		var rs []map[string]any
		if err := json.Unmarshal([]byte(out), &rs); err != nil {
			t.Fatalf("json: %v\n%s", err, out)
		}
		if len(names) > 0 && len(rs) != len(names) {
			t.Fatalf("json has %d probes, want %d", len(rs), len(names))
		}
		for _, r := range rs {
			for _, k := range []string{"name", "kind", "target", "success", "duration_seconds", "phases"} {
				if _, ok := r[k]; !ok {
					t.Errorf("json probe lacks %q: %v", k, r)
				}
			}
			if r["success"] == false {
				f, _ := r["failure"].(map[string]any)
				for _, k := range []string{"phase", "reason", "message"} {
					if _, ok := f[k]; !ok {
						t.Errorf("json failure lacks %q: %v", k, r)
					}
				}
			}
		}
	case "junit":
		var doc junitSuites
		if err := xml.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("junit: %v\n%s", err, out)
		}
		if len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != doc.Tests || (len(names) > 0 && doc.Tests != len(names)) {
			t.Fatalf("junit has %d tests, want %d", doc.Tests, len(names))
		}
	}
	for _, n := range names {
		if !strings.Contains(out, n) {
			t.Errorf("%s output lacks probe %q", format, n)
		}
	}
}

func TestAdHocAgainstCoturn(t *testing.T) {
	const password = "pw-Zq81-secret"
	lt := coturntest.Start(t, coturntest.Options{AllowLoopbackPeers: true, Users: map[string]string{"probe": password}})
	rest := coturntest.Start(t, coturntest.Options{AllowLoopbackPeers: true, Secret: "rest-Kx7-secret"})
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		wantCode int
		want     []string // substrings of the text output
		secrets  []string
	}{
		{name: "stun udp+tcp", args: []string{"stun", lt.STUNURI()}, want: []string{"PASS", "binding_udp=", "binding_tcp="}},
		{name: "turn password flag", args: []string{"turn", lt.TURNURI("udp"), "--username", "probe", "--password", password},
			want: []string{"PASS", "relay_echo="}, secrets: []string{password}},
		{name: "turn password file tcp", args: []string{"turn", lt.TURNURI("tcp"), "--username", "probe", "--password-file", pwFile},
			want: []string{"PASS", "connect="}, secrets: []string{password}},
		{name: "turn password env", args: []string{"turn", lt.TURNURI("udp"), "--username", "probe"}, env: map[string]string{"VOICEWATCH_TURN_PASSWORD": password},
			want: []string{"PASS"}, secrets: []string{password}},
		{name: "turn rest secret env", args: []string{"turn", rest.TURNURI("udp")}, env: map[string]string{"VOICEWATCH_TURN_SECRET": rest.Secret},
			want: []string{"PASS"}, secrets: []string{rest.Secret}},
		{name: "turn wrong password", args: []string{"turn", lt.TURNURI("udp"), "--username", "probe", "--password", "wrong-Pw-9931"},
			wantCode: exitFailed, want: []string{"FAIL", "reason=bad_credentials phase=allocate", "check: check the username/password"}, secrets: []string{"wrong-Pw-9931"}},
		{name: "one of two fails", args: []string{"stun", lt.STUNURI(), "stun:127.0.0.1:1", "--transport", "udp", "--timeout", "1s"},
			wantCode: exitFailed, want: []string{"PASS", "FAIL", "reason=unreachable", "1 passed, 1 failed"}},
		{name: "repeat", args: []string{"stun", lt.STUNURI(), "--repeat", "3"}, want: []string{"attempts=3", "success_ratio=1.000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			for _, format := range formats {
				stdout, stderr, code := runProbe(t, append(append([]string{}, tt.args...), "--format", format)...)
				if code != tt.wantCode {
					t.Fatalf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", format, code, tt.wantCode, stdout, stderr)
				}
				if format == "text" {
					for _, w := range tt.want {
						if !strings.Contains(stdout, w) {
							t.Errorf("text output lacks %q:\n%s", w, stdout)
						}
					}
				}
				checkFormat(t, format, stdout)
				for _, s := range tt.secrets {
					if strings.Contains(stdout+stderr, s) {
						t.Fatalf("%s output contains the secret:\n%s%s", format, stdout, stderr)
					}
				}
			}
		})
	}
}

func TestSuiteAgainstCoturn(t *testing.T) {
	const password = "suite-pw-4471"
	s := coturntest.Start(t, coturntest.Options{AllowLoopbackPeers: true, Users: map[string]string{"probe": password}})
	health := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/-/healthy" {
			http.NotFound(w, r)
		}
	}))
	defer health.Close()
	t.Setenv("VW_COTURN", s.Addr)
	t.Setenv("VW_TURN_PASSWORD", password)
	names := []string{"stun", "turn-udp", "turn-tcp", "health"}
	out := t.TempDir()
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			file := filepath.Join(out, "report."+format)
			stdout, stderr, code := runProbe(t, "run", "--config", "testdata/suite.yml", "--target", health.URL, "--format", format, "--output", file, "--parallel", "2")
			if code != exitOK {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			checkFormat(t, format, string(b), names...)
			if !strings.Contains(stdout, "4 passed, 0 failed") {
				t.Errorf("stdout summary: %s", stdout)
			}
			if strings.Contains(string(b)+stdout+stderr, password) {
				t.Fatal("password in output")
			}
		})
	}
	t.Run("several reports from one run", func(t *testing.T) {
		dir := t.TempDir()
		j, x, md := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.xml"), filepath.Join(dir, "summary.md")
		for range 2 { // the summary appends, like $GITHUB_STEP_SUMMARY
			_, stderr, code := runProbe(t, "run", "--config", "testdata/suite.yml", "--target", health.URL,
				"--json", j, "--junit", x, "--markdown", md)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
		}
		for path, format := range map[string]string{j: "json", x: "junit"} {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			checkFormat(t, format, string(b), names...)
		}
		b, err := os.ReadFile(md)
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(b), "## voicewatch probes: 4 passed"); n != 2 {
			t.Fatalf("markdown summary has %d runs, want 2 (appended):\n%s", n, b)
		}
	})
	t.Run("without --target the relative probe fails", func(t *testing.T) {
		stdout, _, code := runProbe(t, "run", "--config", "testdata/suite.yml", "--timeout", "1s")
		if code != exitFailed || !strings.Contains(stdout, "FAIL health") || !strings.Contains(stdout, "reason=dns") {
			t.Fatalf("exit %d, stdout:\n%s", code, stdout)
		}
	})
}

func TestWebRTCAssertions(t *testing.T) {
	const token = "whip-Tk-5521"
	echo := webrtctest.New(t, token)
	srv := httptest.NewServer(echo)
	defer srv.Close()
	tokFile := filepath.Join(t.TempDir(), "tok")
	if err := os.WriteFile(tokFile, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"webrtc", srv.URL + "/whip", "--token-file", tokFile, "--loopback", "--timeout", "5s"}
	tests := []struct {
		name     string
		extra    []string
		wantCode int
		want     []string
	}{
		{"call passes", nil, exitOK, []string{"PASS", "first_audio=", "local_candidate_type=host"}},
		{"phase too slow", []string{"--assert", "max_ice_connected=1ns"}, exitFailed, []string{"reason=assertion phase=ice_connected", "max_ice_connected 1ns"}},
		{"relay required", []string{"--assert", "require_candidate=relay"}, exitFailed, []string{"reason=assertion phase=ice_connected", "require_candidate relay"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, format := range formats {
				stdout, stderr, code := runProbe(t, append(append(append([]string{}, base...), tt.extra...), "--format", format)...)
				if code != tt.wantCode {
					t.Fatalf("%s: exit %d, want %d\n%s\n%s", format, code, tt.wantCode, stdout, stderr)
				}
				if format == "text" {
					for _, w := range tt.want {
						if !strings.Contains(stdout, w) {
							t.Errorf("text lacks %q:\n%s", w, stdout)
						}
					}
				}
				checkFormat(t, format, stdout)
				if strings.Contains(stdout+stderr, token) {
					t.Fatalf("token in %s output", format)
				}
			}
		})
	}
}
