//go:build !sidecaronly

package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pion/stun/v4"

	"github.com/voicewatch/voicewatch/internal/httpguard"
)

// demoRun is agent demo running in-process for a test.
type demoRun struct {
	t              *testing.T
	stdout, stderr *lockedBuffer
	base, sidecar  string // http://host:port
	stop           func()
}

// startDemo runs agent demo with args (plus free loopback ports) and waits
// for its URLs.
func startDemo(t *testing.T, args ...string) *demoRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &demoRun{t: t, stdout: &lockedBuffer{}, stderr: &lockedBuffer{}}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"demo", "--listen", "127.0.0.1:0", "--turn-listen", "127.0.0.1:0",
			"--sidecar-listen", "127.0.0.1:0"}, args...), nil, d.stdout, d.stderr)
	}()
	d.stop = func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("demo: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("demo did not stop within 30s of cancel")
		}
	}
	t.Cleanup(d.stop)
	d.base = "http://" + d.waitOutput(`test page\s+http://(127\.0\.0\.1:\d+)/`, time.Minute)
	if i := slices.Index(args, "--sidecar-listen"); i < 0 || i+1 >= len(args) || args[i+1] != "" {
		d.sidecar = "http://" + d.waitOutput(`sidecar\s+http://(127\.0\.0\.1:\d+)/`, time.Minute)
	}
	return d
}

// waitOutput waits for re in the demo's stdout and returns its first group.
func (d *demoRun) waitOutput(re string, timeout time.Duration) string {
	d.t.Helper()
	r := regexp.MustCompile(re)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if m := r.FindStringSubmatch(d.stdout.String()); m != nil {
			return m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	d.t.Fatalf("demo did not print %s within %s:\n%s\n%s", re, timeout, d.stdout.String(), d.stderr.String())
	return ""
}

// sample returns the value of the first series of url's /metrics whose line
// starts with prefix, and whether there is one.
func sample(t *testing.T, url, prefix string) (float64, bool) {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, prefix) {
			v, err := strconv.ParseFloat(l[strings.LastIndexByte(l, ' ')+1:], 64)
			return v, err == nil
		}
	}
	return 0, false
}

// waitSample polls until the series has a value for which ok holds.
func waitSample(t *testing.T, url, prefix string, timeout time.Duration, ok func(float64) bool) float64 {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if v, found := sample(t, url, prefix); found && ok(v) {
			return v
		}
		time.Sleep(50 * time.Millisecond)
	}
	v, _ := sample(t, url, prefix)
	t.Fatalf("%s%s: last value %v, condition not met within %s", url, prefix, v, timeout)
	return 0
}

func postFault(t *testing.T, base, query string) int {
	t.Helper()
	resp, err := http.Post(base+"/-/fault?"+query, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestDemoFaultSTUNDead: with --fault stun-dead, the STUN probe's very first
// run — the one the sidecar makes at start-up, so within one probe interval —
// is red with reason timeout, while TURN stays green; clearing the fault
// with POST /-/fault turns it green again, and turning turn-dead on while
// running turns the TURN probe red.
func TestDemoFaultSTUNDead(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo")
	}
	d := startDemo(t, "--fault", "stun-dead", "--probe-interval", "2s", "--call-interval", "0")
	d.waitOutput(`faults\s+\S+\s+\(POST \?name=NAME toggles one; on now: (stun-dead)\)`, time.Second)
	stun := `probe_success{kind="stun",probe="stun"`
	first := waitSample(t, d.sidecar, stun, 2*time.Minute, func(float64) bool { return true })
	if first != 0 {
		t.Fatalf("the STUN probe's first result (its start-up run) is %v, want 0 (red) with stun-dead", first)
	}
	if _, ok := sample(t, d.sidecar, `probe_failure_info{kind="stun",phase="binding_udp",probe="stun",reason="timeout"`); !ok {
		t.Error("no probe_failure_info with phase binding_udp and reason timeout for the STUN probe")
	}
	waitSample(t, d.sidecar, `probe_success{kind="turn",probe="turn"`, time.Minute, func(v float64) bool { return v == 1 })

	if code := postFault(t, d.base, "name=stun-dead&on=false"); code != http.StatusOK {
		t.Fatalf("POST /-/fault: %d", code)
	}
	waitSample(t, d.sidecar, stun, 2*time.Minute, func(v float64) bool { return v == 1 })

	if code := postFault(t, d.base, "name=turn-dead"); code != http.StatusOK { // toggles on
		t.Fatalf("POST /-/fault: %d", code)
	}
	waitSample(t, d.sidecar, `probe_success{kind="turn",probe="turn"`, 2*time.Minute, func(v float64) bool { return v == 0 })
	if code := postFault(t, d.base, "name=no-such-fault"); code != http.StatusBadRequest {
		t.Errorf("POST /-/fault with an unknown name: %d, want 400", code)
	}
}

// TestDemoFaultsMediaAndProviders: udp-blocked leaves only TURN over TCP
// for media (the call still connects, through a relay candidate of the
// media core); tts-policy makes every synthesis a policy violation; the
// scanner flood is counted by pattern.
func TestDemoFaultsMediaAndProviders(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo")
	}
	d := startDemo(t, "--fault", "udp-blocked", "--fault", "tts-policy,scanner-flood", "--probe-interval", "1h",
		"--call-interval", "100ms", "--calls", "1")
	line := d.waitOutput(`(call 1 \(direct\): .*)`, 2*time.Minute)
	if !strings.Contains(line, "connected") || !strings.Contains(line, "/relay") {
		t.Errorf("with udp-blocked the direct call should connect through the media core's relay candidate (host/relay): %s", line)
	}
	waitSample(t, d.base, `voice_tts_errors_total{provider="embedded",reason="policy_violation"}`, time.Minute, func(v float64) bool { return v >= 1 })
	for _, p := range []httpguard.Pattern{httpguard.PatternWebLogic, httpguard.PatternCGIInjection, httpguard.PatternInvalidMethod, httpguard.PatternPathTraversal} {
		waitSample(t, d.base, `voice_http_scanner_requests_total{pattern="`+string(p)+`"}`, time.Minute, func(v float64) bool { return v >= 1 })
	}
	if v, _ := sample(t, d.base, `voice_tts_errors_total{provider="embedded",reason="other"}`); v != 0 {
		t.Errorf("tts-policy errors were classified as other (%v)", v)
	}
}

// TestDemoFloodRequestsAreScanners: every request of the scanner-flood
// fault is one the guard classifies as a scanner (so it never counts as an
// error).
func TestDemoFloodRequestsAreScanners(t *testing.T) {
	for _, l := range floodRequests {
		f := strings.Fields(l)
		if p := httpguard.Classify(f[0], f[1]); p == httpguard.PatternNone {
			t.Errorf("%q is not classified as a scanner", l)
		}
	}
}

// TestDemoListenNotLoopback: a non-loopback --listen is refused with what
// to do instead, never "set auth.tokens", which the demo cannot take.
func TestDemoListenNotLoopback(t *testing.T) {
	var stdout, stderr lockedBuffer
	err := run(context.Background(), []string{"demo", "--listen", "0.0.0.0:8080"}, nil, &stdout, &stderr)
	code := exitCode(err, &stderr)
	msg := stderr.String()
	if code != 2 || !strings.Contains(msg, "ssh -L 8080:127.0.0.1:8080") || !strings.Contains(msg, "agent voice") || strings.Contains(msg, "set auth.tokens") {
		t.Errorf("exit %d, stderr:\n%s", code, msg)
	}
}

// An unknown --fault is a usage error that lists the faults.
func TestDemoUnknownFault(t *testing.T) {
	_, errOut, code := runCLI(t, "demo", "--fault", "dns-dead")
	if code != 2 || !strings.Contains(errOut, `unknown fault "dns-dead": want one of scanner-flood, stt-timeouts, stun-dead, tts-policy, turn-dead, udp-blocked`) {
		t.Errorf("exit %d, stderr:\n%s", code, errOut)
	}
	out, _, code := runCLI(t, "demo", "--help")
	for _, n := range faultNames() {
		if code != 0 || !strings.Contains(out, "\n  "+n+"\n") {
			t.Errorf("demo --help does not describe the fault %s:\n%s", n, out)
		}
	}
}

// demoPrometheusTest skips a test of the demo with --prometheus with
// -short, and without prometheus or alertmanager (fails in CI).
func demoPrometheusTest(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the demo, Prometheus and Alertmanager")
	}
	_, perr := exec.LookPath("prometheus")
	_, aerr := lookAlertmanager()
	if perr != nil || aerr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("prometheus or alertmanager missing (make test-deps installs them)")
		}
		t.Skip("prometheus or alertmanager missing")
	}
}

// TestDemoPrometheusPages: with --prometheus, Prometheus evaluates the
// generated rules (at the demo's time scale) and Alertmanager's page or
// ticket for the injected fault is printed in the terminal.
func TestDemoPrometheusPages(t *testing.T) {
	demoPrometheusTest(t)
	d := startDemo(t, "--fault", "turn-dead", "--prometheus", "--probe-interval", "2s", "--call-interval", "0")
	d.waitOutput(`(PAGER FIRING ProbeTURNFailing): `, 3*time.Minute)
	d.waitOutput(`runbook: (\S+/probe-turn-failing\.md)`, time.Second)
}

// TestDemoPrometheusDirectMediaLost: calls connect directly, then
// udp-blocked is turned on while the demo runs; every call now comes
// through the relay and VoiceDirectMediaLost opens a ticket. The fault the
// incident had, seen the way its on-call would have.
func TestDemoPrometheusDirectMediaLost(t *testing.T) {
	demoPrometheusTest(t)
	d := startDemo(t, "--prometheus", "--call-interval", "2s")
	d.waitOutput(`call 3 \(direct\): (connected) in \S+ via host/host`, 2*time.Minute)
	if code := postFault(t, d.base, "name=udp-blocked&on=true"); code != http.StatusOK {
		t.Fatalf("POST /-/fault: %d", code)
	}
	d.waitOutput(`(TICKET FIRING VoiceDirectMediaLost): `, 3*time.Minute)
	d.waitOutput(`runbook: (\S+/voice-direct-media-lost\.md)`, time.Second)
	if strings.Contains(d.stdout.String(), "PAGER FIRING") {
		t.Errorf("udp-blocked with TURN over TCP paged someone; calls still connect:\n%s", d.stdout.String())
	}
}

// isBinding tells STUN Binding requests (what stun-dead drops) from TURN
// messages (what turn-dead drops), on messages built by pion/stun.
func TestIsBinding(t *testing.T) {
	build := func(typ stun.MessageType) []byte {
		m, err := stun.Build(stun.TransactionID, typ, stun.Fingerprint)
		if err != nil {
			t.Fatal(err)
		}
		return m.Raw
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want bool
	}{
		{"binding request", build(stun.BindingRequest), true},
		{"binding success", build(stun.BindingSuccess), true},
		{"allocate request", build(stun.NewType(stun.MethodAllocate, stun.ClassRequest)), false},
		{"refresh request", build(stun.NewType(stun.MethodRefresh, stun.ClassRequest)), false},
		{"send indication", build(stun.NewType(stun.MethodSend, stun.ClassIndication)), false},
		{"channel data", []byte{0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4}, false},
		{"short", []byte{0x00, 0x01}, false},
	} {
		if got := isBinding(tc.b); got != tc.want {
			t.Errorf("%s: isBinding = %v, want %v", tc.name, got, tc.want)
		}
	}
}
