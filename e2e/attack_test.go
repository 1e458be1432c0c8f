package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	pwebrtc "github.com/pion/webrtc/v4"

	"github.com/voicewatch/voicewatch/internal/coturntest"
	"github.com/voicewatch/voicewatch/internal/netns"
)

// Attack soak: the media core and the sidecar as real processes, pion
// callers calling, and for one phase an attacker on other loopback
// addresses sending malformed offers, candidate floods, slow bodies,
// WebSocket floods and /probe abuse. Bounded in count and time (about 45 s
// in all), loopback only, inside a network namespace.
const (
	attackWindow  = 2 * time.Second // calls alternate: a window without, a window with the attack
	attackWindows = 8               // pairs of windows
	attackCallers = 2
)

const attackVoiceYAML = `listen: 127.0.0.1:%d
auth: {tokens: ["${VOICEWATCH_WHIP_TOKEN}"]}
max_sessions: 100
max_sessions_per_client: 10
ice:
  include_loopback: true
  interfaces: [lo]
  gathering_timeout: 2s
  connect_timeout: 5s
audio: {greeting: false}
store: {dir: %q}
http:
  read_timeout: 2s
  idle_timeout: 5s
  rate_per_second: 500   # the callers call back to back from one address
  burst: 1000
`

const attackSidecarYAML = `listen: 127.0.0.1:%d
max_concurrent_probes: 4
modules:
  http_2xx: {kind: http, timeout: 2s}
  whip_health:
    kind: http
    timeout: 2s
    http: {token: "${VOICEWATCH_WHIP_TOKEN}"}
    allowed_targets: ["http://127.0.0.1:%d/-/healthy"]
`

// footprint is a process's goroutines and resident memory from its own
// /metrics.
type footprint struct {
	goroutines float64
	rssBytes   float64
}

func readFootprint(t *testing.T, metricsURL string) footprint {
	t.Helper()
	resp, err := http.Get(metricsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var f footprint
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 {
			continue
		}
		v, _ := strconv.ParseFloat(fields[1], 64)
		switch fields[0] {
		case "go_goroutines":
			f.goroutines = v
		case "process_resident_memory_bytes":
			f.rssBytes = v
		}
	}
	return f
}

func TestAttackSoak(t *testing.T) {
	buildBinaries(t)
	if !netns.Run(t) {
		return
	}
	bin, dir := os.Getenv(envBin), t.TempDir()
	voicePort, sidecarPort := coturntest.FreePort(t), coturntest.FreePort(t)
	voiceURL := "http://" + addr(voicePort)
	sidecarURL := "http://" + addr(sidecarPort)
	env := []string{"VOICEWATCH_WHIP_TOKEN=" + whipToken}
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	voice := startProc(t, "voice", filepath.Join(bin, "agent"),
		[]string{"voice", "--config", write("voice.yaml", fmt.Sprintf(attackVoiceYAML, voicePort, filepath.Join(dir, "sessions")))}, env)
	sidecar := startProc(t, "sidecar", filepath.Join(bin, "agent"),
		[]string{"sidecar", "--config", write("sidecar.yaml", fmt.Sprintf(attackSidecarYAML, sidecarPort, voicePort))}, env)
	for _, p := range []struct {
		proc *proc
		url  string
	}{{voice, voiceURL}, {sidecar, sidecarURL}} {
		eventually(t, 15*time.Second, p.proc.name+" ready", func() bool {
			if err := p.proc.exitedEarly(); err != nil {
				t.Fatal(err)
			}
			return httpOK(p.url + "/-/ready")
		})
	}

	// Warm up, then the baseline footprint.
	placeCallsTo(t, voiceURL, 1, 3*time.Second)
	eventually(t, 20*time.Second, "sessions drained after the warm-up", func() bool { return voiceActive(t, voiceURL) == 0 })
	voice0, sidecar0 := readFootprint(t, voiceURL+"/metrics"), readFootprint(t, sidecarURL+"/metrics")

	// Windows without and with the attack alternate, so a change in the
	// load of the (shared) machine falls on both alike. A p99 over the
	// bound is measured once more: a real regression fails both rounds,
	// another process's burst on a shared 2-core machine rarely does.
	a := newAttacker(t, voiceURL, sidecarURL, voicePort)
	var ok bool
	for round := 1; round <= 2 && !ok; round++ {
		base, attacked := a.measure(t, voiceURL)
		p50b, p99b := pct(base, 50), pct(base, 99)
		p50a, p99a := pct(attacked, 50), pct(attacked, 99)
		t.Logf("round %d: WHIP signaling without the attack: %d calls, p50 %s, p99 %s", round, len(base), p50b, p99b)
		t.Logf("round %d: WHIP signaling under the attack: %d calls, p50 %s, p99 %s (%+.1f%%)", round, len(attacked), p50a, p99a, 100*(float64(p99a)/float64(p99b)-1))
		if len(base) < 20 || len(attacked) < 20 {
			t.Fatalf("too few calls: %d and %d", len(base), len(attacked))
		}
		// The target is 10 %; the p99 of a few hundred calls on a shared
		// 2-core machine is the tail of a handful, so allow a floor of 5 ms.
		ok = p99a <= p99b+max(p99b/10, 5*time.Millisecond)
	}
	a.close()
	t.Logf("attack: %s", a.summary())
	if !ok {
		t.Errorf("WHIP p99 under the attack was more than 10%% (or 5 ms) above the p99 without it, in both rounds")
	}
	a.check(t)

	// Everything the attack opened is released: sessions, sockets,
	// goroutines; memory returns to where it was.
	eventually(t, 30*time.Second, "attack sessions ended", func() bool { return voiceActive(t, voiceURL) == 0 })
	var voice1, sidecar1 footprint
	eventually(t, 30*time.Second, "goroutines and RSS back to baseline", func() bool {
		voice1, sidecar1 = readFootprint(t, voiceURL+"/metrics"), readFootprint(t, sidecarURL+"/metrics")
		return voice1.goroutines <= voice0.goroutines+10 && sidecar1.goroutines <= sidecar0.goroutines+10 &&
			voice1.rssBytes <= voice0.rssBytes+32<<20 && sidecar1.rssBytes <= sidecar0.rssBytes+32<<20
	})
	t.Logf("voice: goroutines %.0f → %.0f, RSS %.1f → %.1f MiB; sidecar: goroutines %.0f → %.0f, RSS %.1f → %.1f MiB",
		voice0.goroutines, voice1.goroutines, voice0.rssBytes/(1<<20), voice1.rssBytes/(1<<20),
		sidecar0.goroutines, sidecar1.goroutines, sidecar0.rssBytes/(1<<20), sidecar1.rssBytes/(1<<20))
}

func voiceActive(t *testing.T, voiceURL string) float64 {
	resp, err := http.Get(voiceURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for line := range strings.Lines(string(b)) {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "voice_sessions_active" {
			v, _ := strconv.ParseFloat(f[1], 64)
			return v
		}
	}
	return -1
}

// placeCallsTo runs n pion callers (from 127.0.0.1) placing calls back to
// back for d and returns the WHIP signaling latency of every successful
// call; a failed call fails the test.
func placeCallsTo(t *testing.T, voiceURL string, n int, d time.Duration) []time.Duration {
	out, failed := callBackToBack(t, voiceURL, n, d)
	var failures []string
	for _, f := range failed {
		if f != nil {
			failures = append(failures, f.Message())
		}
	}
	if len(failures) > 0 {
		t.Errorf("%d legitimate calls failed, first: %s", len(failures), failures[0])
	}
	return out
}

// measure runs attackWindows pairs of windows, calls only, then calls
// under every attack at once, and returns the signaling latencies of each.
func (a *attacker) measure(t *testing.T, voiceURL string) (base, attacked []time.Duration) {
	for range attackWindows {
		base = append(base, placeCallsTo(t, voiceURL, attackCallers, attackWindow)...)
		ctx, cancel := context.WithTimeout(context.Background(), attackWindow)
		var wg sync.WaitGroup
		for _, run := range []func(context.Context){a.malformedOffers, a.candidateFloods, a.slowBodies, a.webSocketFlood, a.probeAbuse} {
			wg.Add(1)
			go func() { defer wg.Done(); run(ctx) }() // owner: measure; ends with ctx
		}
		attacked = append(attacked, placeCallsTo(t, voiceURL, attackCallers, attackWindow)...)
		cancel()
		wg.Wait()
	}
	return base, attacked
}

// attacker sends the abuse from loopback addresses other than the
// callers' 127.0.0.1, each its own client for the rate limits.
type attacker struct {
	t                   *testing.T
	voiceURL, sidecar   string
	voicePort           int
	offer               string
	blackhole           net.Listener
	mu                  sync.Mutex
	status              map[string]map[int]int // attack → status → count
	slowCut, slowServed atomic.Int32
}

func newAttacker(t *testing.T, voiceURL, sidecarURL string, voicePort int) *attacker {
	bh, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { // owner: attacker.close; accepts and never answers (a filtered port that hangs)
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := bh.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	return &attacker{t: t, voiceURL: voiceURL, sidecar: sidecarURL, voicePort: voicePort, offer: attackOffer(t),
		blackhole: bh, status: map[string]map[int]int{}}
}

func (a *attacker) close() { a.blackhole.Close() }

func (a *attacker) count(attack string, status int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.status[attack] == nil {
		a.status[attack] = map[int]int{}
	}
	a.status[attack][status]++
}

func (a *attacker) summary() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var b strings.Builder
	for _, k := range []string{"malformed_offer", "candidate_flood", "websocket", "probe_scan", "probe_credentials", "probe_slow"} {
		fmt.Fprintf(&b, "%s %v; ", k, a.status[k])
	}
	fmt.Fprintf(&b, "slow bodies cut %d, served %d", a.slowCut.Load(), a.slowServed.Load())
	return b.String()
}

// check asserts what each attack must have met.
func (a *attacker) check(t *testing.T) {
	a.mu.Lock()
	defer a.mu.Unlock()
	onlyStatus := func(attack string, allowed ...int) {
		total := 0
		for st, n := range a.status[attack] {
			total += n
			ok := false
			for _, al := range allowed {
				ok = ok || st == al
			}
			if !ok {
				t.Errorf("%s: %d answers with status %d, want only %v", attack, n, st, allowed)
			}
		}
		if total == 0 {
			t.Errorf("%s: no request was answered", attack)
		}
	}
	onlyStatus("malformed_offer", 400, 429)
	onlyStatus("candidate_flood", 400, 429)
	onlyStatus("probe_credentials", 403, 429)
	onlyStatus("probe_scan", 200, 429)
	if a.status["websocket"][429] == 0 {
		t.Errorf("websocket flood: no 429 (%v)", a.status["websocket"])
	}
	if a.status["probe_slow"][429] == 0 {
		t.Errorf("concurrent /probe: no 429 (%v)", a.status["probe_slow"])
	}
	if a.slowServed.Load() != 0 {
		t.Errorf("%d slow bodies were answered as a session", a.slowServed.Load())
	}
}

// client returns an HTTP client whose connections come from 127.0.0.<n>.
func client(n byte) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, n)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 4}}
}

func (a *attacker) post(c *http.Client, attack, path, ctype, body string) {
	req, _ := http.NewRequest(http.MethodPost, a.voiceURL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+whipToken)
	resp, err := c.Do(req)
	if err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	a.count(attack, resp.StatusCode)
}

// every runs f at rate per second until ctx ends.
func every(ctx context.Context, rate int, f func()) {
	tk := time.NewTicker(time.Second / time.Duration(rate))
	defer tk.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
			f()
		}
	}
}

func (a *attacker) malformedOffers(ctx context.Context) {
	c := client(2)
	defer c.CloseIdleConnections()
	variants := []string{
		strings.Replace(a.offer, "a=fingerprint:sha-256", "a=fingerprint:md5", 1),
		strings.Replace(a.offer, "a=ice-ufrag:", "a=ice-ufrag:"+strings.Repeat("u", 50_000), 1),
		strings.Replace(a.offer, "s=-", "s=-\x00", 1),
		strings.Replace(a.offer, "a=fingerprint:", "a=x-fp:", -1),
		"v=0\r\nthis is not SDP\r\n",
	}
	i := 0
	every(ctx, 20, func() { a.post(c, "malformed_offer", "/whip", "application/sdp", variants[i%len(variants)]); i++ })
}

func (a *attacker) candidateFloods(ctx context.Context) {
	c := client(3)
	defer c.CloseIdleConnections()
	var b strings.Builder
	for i := range 500 {
		fmt.Fprintf(&b, "a=candidate:%d 1 udp 2130706431 127.0.0.1 %d typ host\r\n", i, 40000+i)
	}
	flood := strings.Replace(a.offer, "a=mid:0\r\n", "a=mid:0\r\n"+b.String(), 1)
	every(ctx, 5, func() { a.post(c, "candidate_flood", "/whip", "application/sdp", flood) })
}

// slowBodies opens connections from 127.0.0.4 that send a POST's headers
// and then a byte a second: the server must cut them off, never make a
// session of them.
func (a *attacker) slowBodies(ctx context.Context) {
	var wg sync.WaitGroup
	for range 40 {
		wg.Add(1)
		go func() { // owner: slowBodies; ends with ctx or the server's cut
			defer wg.Done()
			d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 4)}}
			conn, err := d.DialContext(ctx, "tcp", addr(a.voicePort))
			if err != nil {
				return
			}
			defer conn.Close()
			_, _ = fmt.Fprintf(conn, "POST /whip HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n", whipToken, len(a.offer))
			for i := 0; i < len(a.offer) && ctx.Err() == nil; i++ {
				if _, err := conn.Write([]byte{a.offer[i]}); err != nil {
					a.slowCut.Add(1)
					return
				}
				_ = conn.SetReadDeadline(time.Now().Add(time.Second))
				buf := make([]byte, 512)
				n, err := conn.Read(buf)
				if n > 0 && strings.Contains(string(buf[:n]), " 201 ") {
					a.slowServed.Add(1)
				}
				if err != nil && !os.IsTimeout(err) {
					a.slowCut.Add(1)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// webSocketFlood makes a session from 127.0.0.5 and opens 50 event sockets
// on it.
func (a *attacker) webSocketFlood(ctx context.Context) {
	c := client(5)
	defer c.CloseIdleConnections()
	pc, sdp := newAttackPC(a.t)
	defer pc.Close()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, a.voiceURL+"/whip", strings.NewReader(sdp))
	req.Header.Set("Content-Type", "application/sdp")
	req.Header.Set("Authorization", "Bearer "+whipToken)
	resp, err := c.Do(req)
	if err != nil {
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		a.count("websocket", resp.StatusCode)
		return
	}
	loc := resp.Header.Get("Location")
	defer func() {
		req, _ := http.NewRequest(http.MethodDelete, a.voiceURL+loc, nil)
		req.Header.Set("Authorization", "Bearer "+whipToken)
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	var socks []*websocket.Conn
	defer func() {
		for _, s := range socks {
			s.CloseNow()
		}
	}()
	wsURL := "ws" + strings.TrimPrefix(a.voiceURL, "http") + loc + "/events"
	for range 50 {
		ws, resp, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPClient: c})
		if err == nil {
			socks = append(socks, ws)
			a.count("websocket", 101)
			continue
		}
		if resp != nil {
			a.count("websocket", resp.StatusCode)
		}
	}
	<-ctx.Done()
}

// probeAbuse uses the sidecar's /probe as a port scanner, to send the
// module's token elsewhere, and to pile up slow probes.
func (a *attacker) probeAbuse(ctx context.Context) {
	c := client(6)
	defer c.CloseIdleConnections()
	get := func(attack, module, target string) {
		resp, err := c.Get(a.sidecar + "/probe?" + url.Values{"module": {module}, "target": {target}}.Encode())
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		a.count(attack, resp.StatusCode)
	}
	slow := "http://" + a.blackhole.Addr().String() + "/"
	var wg sync.WaitGroup
	for range 12 { // more than max_concurrent_probes at once
		wg.Add(1)
		go func() { defer wg.Done(); get("probe_slow", "http_2xx", slow) }() // owner: probeAbuse
	}
	port := 1
	every(ctx, 20, func() {
		get("probe_scan", "http_2xx", "http://127.0.0.1:"+strconv.Itoa(port)+"/")
		get("probe_credentials", "whip_health", "http://127.0.0.1:"+strconv.Itoa(port)+"/steal")
		port++
	})
	wg.Wait()
}

// attackOffer is a valid audio offer from a pion peer on loopback.
func attackOffer(t *testing.T) string {
	pc, sdp := newAttackPC(t)
	pc.Close()
	return sdp
}

func newAttackPC(t *testing.T) (*pwebrtc.PeerConnection, string) {
	var se pwebrtc.SettingEngine
	se.SetInterfaceFilter(func(n string) bool { return n == "lo" })
	se.SetIncludeLoopbackCandidate(true)
	m := &pwebrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	pc, err := pwebrtc.NewAPI(pwebrtc.WithSettingEngine(se), pwebrtc.WithMediaEngine(m)).NewPeerConnection(pwebrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.AddTransceiverFromKind(pwebrtc.RTPCodecTypeAudio); err != nil {
		t.Fatal(err)
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	done := pwebrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-done
	return pc, pc.LocalDescription().SDP
}
