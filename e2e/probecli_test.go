package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// probeSuite is the suite CI would run against staging, aimed at the stack.
const probeSuite = `defaults:
  timeout: 3s
probes:
  - name: stun
    kind: stun
    target: stun:%[1]s
    stun: {transports: [udp]}
  - name: turn-udp
    kind: turn
    target: turn:%[1]s?transport=udp
    turn: {secret: "${VW_TURN_SECRET}"}
  - name: health
    kind: http
    target: %[2]s/-/healthy
  - name: call
    kind: webrtc
    target: %[2]s/whip
    timeout: 10s
    webrtc: {token: "${VW_WHIP_TOKEN}", loopback: true}
`

// probeReport is the part of `probe --format json` the test reads.
type probeReport struct {
	Name    string `json:"name"`
	Success bool   `json:"success"`
	Failure *struct {
		Phase, Reason, Message string
	} `json:"failure"`
}

// probeCLI runs `probe run --config` against the stack and checks the exit
// code and, for failures, the probes that failed and their reasons.
func probeCLI(t *testing.T, s *stack, wantExit int, wantReasons map[string][]string) {
	t.Helper()
	suite := s.write("probes.yml", fmt.Sprintf(probeSuite, addr(s.coturnPort), s.voiceURL))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, "probe"), "run", "--config", suite, "--format", "json")
	cmd.Env = append(cmd.Environ(), "VW_TURN_SECRET="+turnSecret, "VW_WHIP_TOKEN="+whipToken)
	out, err := cmd.Output()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("probe run: %v", err)
	}
	var reps []probeReport
	if jerr := json.Unmarshal(out, &reps); jerr != nil {
		t.Fatalf("probe run --format json: %v\n%s", jerr, out)
	}
	t.Logf("probe run --config: exit %d", code)
	for _, r := range reps {
		if r.Failure != nil {
			t.Logf("  %s: failed in %s: %s (%s)", r.Name, r.Failure.Phase, r.Failure.Reason, r.Failure.Message)
		} else {
			t.Logf("  %s: ok", r.Name)
		}
	}
	if code != wantExit {
		t.Errorf("probe run exit code %d, want %d\n%s", code, wantExit, out)
	}
	for _, r := range reps {
		reasons, shouldFail := wantReasons[r.Name]
		switch {
		case !shouldFail && !r.Success:
			t.Errorf("probe %s failed, want success: %+v", r.Name, r.Failure)
		case shouldFail && r.Success:
			t.Errorf("probe %s succeeded, want a failure (%v)", r.Name, reasons)
		case shouldFail && r.Failure != nil && !contains(reasons, r.Failure.Reason):
			t.Errorf("probe %s failed with reason %q, want one of %v", r.Name, r.Failure.Reason, reasons)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
