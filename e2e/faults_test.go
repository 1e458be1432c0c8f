package e2e

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/internal/awstest"
	"github.com/voicewatch/voicewatch/internal/transcribetest"
)

// faultCase is one row of the fault → page matrix.
type faultCase struct {
	name, how string
	// expected says, in words, what on-call should see (for the doc).
	expected string
	inject   func(t *testing.T)
	remove   func(t *testing.T)
	// page and ticket are the alerts that must reach each receiver.
	page, ticket []string
	// inhibited alerts must become active in Alertmanager, inhibited, and
	// never be notified.
	inhibited []string
	// quiet is how long to watch for (absent) notifications when no alert
	// is expected, or after the expected ones arrived.
	quiet time.Duration
	// during runs extra checks while the fault is in place.
	during func(t *testing.T)
}

// firedAlert is one notification of the matrix.
type firedAlert struct {
	Alert, Receiver string
	After           time.Duration
}

// faultResult is one measured row.
type faultResult struct {
	Fault, How, Expected string
	Fired                []firedAlert
	Inhibited            []string
	Cleared              time.Duration
	Notes                []string
}

// matrix is what the test writes for docs/fault-matrix.md.
type matrix struct {
	Rows      []faultResult
	TimeScale int
	Total     time.Duration
}

// runFault injects fc, waits for its alerts, checks that nothing else
// pages, removes it and waits until no alert fires.
func runFault(t *testing.T, s *stack, fc faultCase) faultResult {
	res := faultResult{Fault: fc.name, How: fc.how, Expected: fc.expected}
	t0 := time.Now()
	fc.inject(t)
	removed := false
	defer func() {
		if !removed {
			fc.remove(t)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	for _, w := range []struct {
		receiver string
		names    []string
	}{{"pager", fc.page}, {"ticket", fc.ticket}} {
		for _, name := range w.names {
			at, err := s.pager.waitFiring(ctx, t0, w.receiver, name)
			if err != nil {
				t.Fatalf("%s did not reach %s within 90s; firing in Prometheus: %v", name, w.receiver, s.firing())
			}
			res.Fired = append(res.Fired, firedAlert{Alert: name, Receiver: w.receiver, After: at.Sub(t0)})
			t.Logf("%s → %s after %s", name, w.receiver, at.Sub(t0).Round(100*time.Millisecond))
		}
	}
	for _, name := range fc.inhibited {
		d := eventuallyOr(30*time.Second, func() bool { return s.inhibited(name) })
		if d < 0 {
			t.Errorf("%s never became active and inhibited in Alertmanager", name)
			continue
		}
		res.Inhibited = append(res.Inhibited, name)
		t.Logf("%s active and inhibited in Alertmanager", name)
	}
	if fc.during != nil {
		fc.during(t)
	}
	if fc.quiet > 0 {
		watch(fc.quiet)
	}
	// Anything notified during the fault beyond what was expected.
	for _, n := range s.pager.firingSince(t0) {
		for _, a := range n.Firing {
			want := fc.page
			if n.Receiver == "ticket" {
				want = fc.ticket
			}
			if slices.Contains(want, a) {
				continue
			}
			msg := fmt.Sprintf("%s → %s", a, n.Receiver)
			if n.Receiver == "pager" || slices.Contains(fc.inhibited, a) {
				res.Notes = append(res.Notes, "unexpected: "+msg)
				t.Errorf("unexpected notification %s", msg)
			} else {
				res.Notes = append(res.Notes, "also: "+msg)
				t.Logf("also notified: %s", msg)
			}
		}
	}
	tr := time.Now()
	fc.remove(t)
	removed = true
	var last []string
	// The longest window clears last: the edge ticket's 2 h (2 min at
	// timeScale 60) lasts until the flood has left it.
	d := eventuallyOr(180*time.Second, func() bool { last = s.firing(); return len(last) == 0 })
	if d < 0 {
		t.Fatalf("alerts still firing 180s after the fault was removed: %v", last)
	}
	res.Cleared = time.Since(tr)
	t.Logf("cleared %s after removal", res.Cleared.Round(100*time.Millisecond))
	return res
}

// watch waits d: a window in which an absent notification would have
// arrived (there is no event to wait for when nothing must happen).
func watch(d time.Duration) {
	tm := time.NewTimer(d)
	defer tm.Stop()
	<-tm.C
}

// inhibited reports whether Alertmanager holds alertname as inhibited.
func (s *stack) inhibited(alertname string) bool {
	as, err := s.amAlerts()
	if err != nil {
		return false
	}
	for _, a := range as {
		if a.Labels["alertname"] == alertname && a.Status.State == "suppressed" && len(a.Status.InhibitedBy) > 0 {
			return true
		}
	}
	return false
}

// counter reads a summed counter from Prometheus (0 when absent).
func (s *stack) counter(t *testing.T, expr string) float64 {
	v, err := s.value("sum(" + expr + ")")
	if err != nil && err != errNoData {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// faultMatrix is the sequence of faults, each removed before the next.
func faultMatrix(s *stack) []faultCase {
	var scannerSent atomic.Int64
	var before map[string]float64
	return []faultCase{
		{
			name: "coturn stopped", how: "SIGTERM to coturn (STUN and TURN down)",
			expected: "page ProbeTURNFailing; ticket ProbeSTUNFailing; probe CLI exits 1 (turn-udp, stun unreachable)",
			inject:   func(t *testing.T) { s.coturn.stop(5 * time.Second) },
			remove: func(t *testing.T) {
				if err := s.coturn.start(); err != nil {
					t.Fatal(err)
				}
				s.waitCoturn(10 * time.Second)
			},
			page: []string{"ProbeTURNFailing"}, ticket: []string{"ProbeSTUNFailing"},
			during: func(t *testing.T) {
				probeCLI(t, s, 1, map[string][]string{"stun": {"unreachable", "timeout"}, "turn-udp": {"unreachable", "timeout"}})
			},
		},
		{
			name: "STUN port blocked", how: "the UDP relay in front of coturn's STUN port drops every datagram",
			expected: "ticket ProbeSTUNFailing; no page (calls still connect; the media core's own gathering waits for the dead STUN server, so VoiceICEGatheringSlow may open a ticket too)",
			inject:   func(t *testing.T) { s.stunRelay.Block() },
			remove:   func(t *testing.T) { s.stunRelay.Unblock() },
			ticket:   []string{"ProbeSTUNFailing"}, quiet: 5 * time.Second,
		},
		{
			name: "media core killed", how: "SIGKILL to agent voice",
			expected:  "page VoiceMediaCoreDown; its symptoms (ProbeWebRTCFailing, the sidecar's ScrapeTargetDown) inhibited",
			inject:    func(t *testing.T) { s.voice.kill() },
			remove:    func(t *testing.T) { restartVoice(t, s) },
			page:      []string{"VoiceMediaCoreDown"},
			inhibited: []string{"ProbeWebRTCFailing", "ScrapeTargetDown"},
			quiet:     3 * time.Second,
		},
		{
			name: "TTS policy violations", how: "every TTS stream sends changed voice_settings after the first message; the ElevenLabs test server closes with 1008",
			expected: "ticket VoiceTTSPolicyViolation; no page (VoiceTTSErrorRatioHigh excludes policy violations)",
			inject:   func(t *testing.T) { s.tts.policyBug.Store(true) },
			remove:   func(t *testing.T) { s.tts.policyBug.Store(false) },
			ticket:   []string{"VoiceTTSPolicyViolation"}, quiet: 8 * time.Second,
			during: func(t *testing.T) {
				if v := s.counter(t, `voice_tts_errors_total{job="voice",reason="policy_violation"}`); v < 1 {
					t.Errorf("voice_tts_errors_total{reason=policy_violation} = %v, want ≥ 1", v)
				}
			},
		},
		{
			name: "STT timeouts", how: "a Chromium call talks (a looped speech-like WAV); the Transcribe test server accepts the next 8 streams and never answers (result timeout 1s)",
			expected: "no page, no ticket: timeouts are user silence, excluded from VoiceSTTErrorRatioHigh; visible on the STT errors panel",
			inject: func(t *testing.T) {
				faults := make([]transcribetest.Fault, 8)
				for i := range faults {
					faults[i] = transcribetest.FaultHangAfterHeaders
				}
				before = map[string]float64{"requests": float64(len(s.transcribe.Requests()))}
				s.transcribe.Fail(faults...)
				if _, err := s.browser.open(s.voiceURL, whipToken, false); err != nil {
					t.Fatal(err)
				}
			},
			remove: func(t *testing.T) {
				if err := s.browser.hangup(); err != nil {
					t.Errorf("hang up: %v", err)
				}
			},
			during: func(t *testing.T) {
				eventually(t, 60*time.Second, "8 STT streams timed out", func() bool {
					return float64(len(s.transcribe.Requests())) >= before["requests"]+8
				})
				eventually(t, 15*time.Second, "STT timeouts counted", func() bool {
					return s.counter(t, `voice_stt_errors_total{job="voice",reason="timeout"}`) >= 3
				})
			},
			quiet: 12 * time.Second,
		},
		{
			name: "scanner flood", how: "the incident's scanner requests (WebLogic ShellSession, bsguest.cgi sendmail, ABCD method) at 100/s for 10s, through the trusted proxy with a foreign X-Forwarded-For",
			expected: "no page; ticket VoiceScannerRequestsReachService (scanners got past the edge); connection error ratio and HTTP 5xx ratio unchanged; scanner counter up",
			ticket:   []string{"VoiceScannerRequestsReachService"},
			inject: func(t *testing.T) {
				before = map[string]float64{
					"scanner": s.counter(t, `voice_http_scanner_requests_total{job="voice"}`),
				}
				scannerSent.Store(int64(flood(t, addr(s.voicePort), 100, 10*time.Second)))
			},
			remove: func(t *testing.T) {},
			during: func(t *testing.T) {
				sent := float64(scannerSent.Load())
				eventually(t, 10*time.Second, "scanner requests counted", func() bool {
					return s.counter(t, `voice_http_scanner_requests_total{job="voice"}`)-before["scanner"] >= sent
				})
				for _, q := range []string{
					`max(voice:connection_errors:ratio_rate5m) or vector(0)`,
					`(sum(rate(voice_http_requests_total{job="voice",code=~"5.."}[10s])) or vector(0)) / sum(rate(voice_http_requests_total{job="voice"}[10s]))`,
				} {
					if v, err := s.value(q); err != nil || v != 0 {
						t.Errorf("%s = %v (%v) during the flood, want 0", q, v, err)
					}
				}
			},
			quiet: 10 * time.Second,
		},
		{
			name: "CloudWatch throttled briefly", how: "PutMetricData throttled for 3s (within the sidecar's buffer)",
			expected: "no notification; nothing dropped; buffered datums delivered after the throttle",
			inject: func(t *testing.T) {
				before = map[string]float64{
					"dropped": s.counter(t, `voicewatch_cloudwatch_dropped_datums_total{job="voicewatch-sidecar"}`),
					"datums":  float64(s.cw.DatumCount()),
				}
				s.cw.Inject(awstest.Fault{Kind: awstest.FaultThrottle, Op: "PutMetricData", Until: time.Now().Add(3 * time.Second)})
			},
			remove: func(t *testing.T) {},
			during: func(t *testing.T) {
				eventually(t, 20*time.Second, "throttled requests counted", func() bool {
					return s.counter(t, `voicewatch_cloudwatch_requests_total{job="voicewatch-sidecar",result="throttled"}`) > 0
				})
				eventually(t, 20*time.Second, "buffered datums delivered after the throttle", func() bool {
					return float64(s.cw.DatumCount()) > before["datums"]
				})
				if d := s.counter(t, `voicewatch_cloudwatch_dropped_datums_total{job="voicewatch-sidecar"}`); d != before["dropped"] {
					t.Errorf("%v datums dropped during a throttle the buffer should absorb", d-before["dropped"])
				}
			},
			quiet: 12 * time.Second,
		},
		{
			name: "CloudWatch throttled beyond the buffer", how: fmt.Sprintf("PutMetricData throttled until the %d-datum buffer overflows", cloudWatchBuffer),
			expected: "ticket VoicewatchCloudWatchDrops; data flows again after the throttle",
			inject: func(t *testing.T) {
				before = map[string]float64{"datums": float64(s.cw.DatumCount())}
				s.cw.Inject(awstest.Fault{Kind: awstest.FaultThrottle, Op: "PutMetricData"})
			},
			remove: func(t *testing.T) {
				s.cw.Clear()
				n := s.cw.DatumCount()
				eventually(t, 20*time.Second, "datums delivered after the throttle", func() bool { return s.cw.DatumCount() > n })
			},
			ticket: []string{"VoicewatchCloudWatchDrops"},
		},
	}
}

// restartVoice starts the media core again on the same ports.
func restartVoice(t *testing.T, s *stack) {
	if err := s.voice.start(); err != nil {
		t.Fatal(err)
	}
	s.waitVoice(15 * time.Second)
}

// scannerRequests are the incident's scanner request lines.
var scannerRequests = []string{
	"GET /console/bea-helpsets/%252e%252e%252fconsole.portal?_nfpb=true&_pageLabel=&handle=com.tangosol.coherence.mvel2.sh.ShellSession(%22java.lang.Runtime.getRuntime().exec(%27id%27);%22) HTTP/1.1",
	"GET /bsguest.cgi?email=x;/usr/sbin/sendmail%20-t%20<%20/etc/hosts HTTP/1.1",
	"ABCD / HTTP/1.1",
}

// flood sends scanner requests to addr at rate per second for d, each on
// its own connection (the guard hangs up on scanners), as a client behind
// the trusted proxy. It returns how many got an answer.
func flood(t *testing.T, addr string, rate int, d time.Duration) int {
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	deadline := time.Now().Add(d)
	answered := 0
	for i := 0; time.Now().Before(deadline); i++ {
		<-tick.C
		if scannerRequest(addr, scannerRequests[i%len(scannerRequests)]) {
			answered++
		}
	}
	t.Logf("scanner flood: %d requests answered", answered)
	return answered
}

// scannerRequest sends one raw request line and reads the status line.
func scannerRequest(addr, line string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	req := line + "\r\nHost: voice.example\r\nUser-Agent: Mozilla/5.0 zgrab/0.x\r\nX-Forwarded-For: 198.51.100.23\r\nConnection: close\r\n\r\n"
	if _, err := c.Write([]byte(req)); err != nil {
		return false
	}
	buf := make([]byte, 64)
	n, _ := c.Read(buf)
	return strings.HasPrefix(string(buf[:n]), "HTTP/1.1 4")
}
