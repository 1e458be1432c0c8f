package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/voicewatch/voicewatch/internal/coturntest"
	"github.com/voicewatch/voicewatch/internal/netns"
	vwsecret "github.com/voicewatch/voicewatch/internal/secret"
	"github.com/voicewatch/voicewatch/voice/mediacoretest"
)

// startMediaCore runs the real media core on loopback with bearer auth.
func startMediaCore(t *testing.T, token string) string {
	t.Helper()
	cfg := mediacoretest.LoopbackConfig(t)
	cfg.Auth.InsecureNoAuth = false
	cfg.Auth.Tokens = []vwsecret.Secret{vwsecret.Secret(token)}
	_, base := mediacoretest.Start(t, cfg)
	return base + "/whip"
}

type mcResult struct {
	Name    string             `json:"name"`
	Success bool               `json:"success"`
	Phases  map[string]float64 `json:"phases"`
	Details map[string]string  `json:"details"`
	Failure *struct {
		Phase, Reason, Message string
	} `json:"failure"`
}

func decodeResults(t *testing.T, out string) []mcResult {
	t.Helper()
	var rs []mcResult
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatalf("json output: %v\n%s", err, out)
	}
	return rs
}

// TestWebRTCProbeAgainstMediaCore: the CI story against the real media core:
// a call with host candidates passes, relay-only through a real coturn
// passes and reports relay, an assertion failure exits 1 naming its phase,
// and a wrong token is bad_credentials.
func TestWebRTCProbeAgainstMediaCore(t *testing.T) {
	const token = "probe-test-token"
	whip := startMediaCore(t, token)

	t.Run("host candidates", func(t *testing.T) {
		out, errOut, code := runProbe(t, "webrtc", whip, "--token", token, "--loopback", "--format", "json")
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
		r := decodeResults(t, out)[0]
		if !r.Success || r.Details["local_candidate_type"] != "host" || r.Details["remote_candidate_type"] != "host" {
			t.Fatalf("result %+v", r)
		}
		for _, ph := range []string{"signaling", "ice_gathering", "ice_connected", "dtls", "connected", "first_audio"} {
			if _, ok := r.Phases[ph]; !ok {
				t.Errorf("phase %s missing: %v", ph, r.Phases)
			}
		}
		if strings.Contains(out+errOut, token) {
			t.Error("token in output")
		}
	})

	t.Run("relay only through coturn", func(t *testing.T) {
		if _, err := exec.LookPath(coturntest.Binary); err != nil {
			netns.Missing(t, "coturn")
		}
		ct := coturntest.Start(t, coturntest.Options{Secret: "probe-rest-secret", AllowLoopbackPeers: true})
		out, errOut, code := runProbe(t, "webrtc", whip, "--token", token, "--loopback", "--relay-only",
			"--ice-server", ct.TURNURI("udp"), "--ice-username", "ci", "--ice-secret", ct.Secret, "--format", "json")
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s\ncoturn:\n%s", code, out, errOut, ct.Log())
		}
		if r := decodeResults(t, out)[0]; r.Details["local_candidate_type"] != "relay" {
			t.Fatalf("local candidate %q, want relay: %+v", r.Details["local_candidate_type"], r)
		}
		if strings.Contains(out+errOut, ct.Secret) {
			t.Error("TURN secret in output")
		}
	})

	t.Run("assertion failure names its phase", func(t *testing.T) {
		out, errOut, code := runProbe(t, "webrtc", whip, "--token", token, "--loopback",
			"--assert", "max_ice_gathering=1ns", "--format", "json")
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
		}
		r := decodeResults(t, out)[0]
		if r.Failure == nil || r.Failure.Reason != "assertion" || r.Failure.Phase != "ice_gathering" {
			t.Fatalf("failure %+v", r.Failure)
		}
	})

	t.Run("wrong token", func(t *testing.T) {
		out, errOut, code := runProbe(t, "webrtc", whip, "--token", "nope", "--loopback", "--format", "json")
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
		}
		if r := decodeResults(t, out)[0]; r.Failure == nil || r.Failure.Reason != "bad_credentials" || r.Failure.Phase != "signaling" {
			t.Fatalf("failure %+v", r.Failure)
		}
	})
}
