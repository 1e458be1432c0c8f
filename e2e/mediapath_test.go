package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/voicewatch/voicewatch/alerts"
	"github.com/voicewatch/voicewatch/internal/coturntest"
	"github.com/voicewatch/voicewatch/internal/netns"
	"github.com/voicewatch/voicewatch/internal/tlstest"
)

// envMediaResults is where the test inside the namespace writes its rows.
const envMediaResults = "VOICEWATCH_E2E_MEDIA_RESULTS"

// envBlips sets how many media blips the blip row measures (default 3;
// the restore-to-audio benchmark uses 20 or more).
const envBlips = "VOICEWATCH_E2E_BLIPS"

// mediaLab is the media path stack: coturn and `agent voice` in a second
// network namespace behind a veth pair (HTTP and TURN on one address, ICE
// media on another), Chromium, Prometheus, Alertmanager and the pager in
// the test's namespace. Routes cut the media path; signalling stays up.
type mediaLab struct {
	*stack
	veth *vethLab
	base string // the media core's URL, http://10.77.0.2:port
	// config is the voice.yaml in use (see voiceConfig).
	config string
	// tls, when set, gives coturn a TLS listener on turnsPort.
	tls *tlstest.Files
}

// turnsPort is coturn's TLS listener in the lab (when mediaLab.tls is set).
const turnsPort = 5349

// mediaRow is one row of the media path table of docs/fault-matrix.md.
type mediaRow struct {
	Fault, How, Expected string
	Measured             []string
	Fired                []firedAlert
}

func startMediaLab(t *testing.T) *mediaLab {
	t.Helper()
	veth := newVethLab(t)
	s := &stack{t: t, bin: os.Getenv(envBin), dir: t.TempDir()}
	if s.bin == "" {
		t.Fatalf("%s is not set: the test must build the binaries before entering the namespace", envBin)
	}
	s.coturnPort, s.voicePort, s.metricsPort = 3478, 8080, 9100 // in the lab's own namespace
	s.promPort, s.amPort = coturntest.FreePort(t), coturntest.FreePort(t)
	s.pager = startPager(t)
	l := &mediaLab{stack: s, veth: veth, base: fmt.Sprintf("http://%s:%d", vethHTTPIP, s.voicePort)}
	s.voiceURL = l.base
	l.startCoturn()
	s.startAlertmanager()
	l.startPrometheus()
	return l
}

// startCoturn runs coturn in the lab namespace: TURN over TCP (and STUN)
// on the HTTP address, relay ports on their own address (cut with the
// media path), relaying to the media core's ICE address.
func (l *mediaLab) startCoturn() {
	t := l.t
	tlsArgs := []string{"--no-tls"}
	if l.tls != nil {
		tlsArgs = []string{"--cert=" + l.tls.Cert, "--pkey=" + l.tls.Key, fmt.Sprintf("--tls-listening-port=%d", turnsPort)}
	}
	path, args := l.veth.inside(coturntest.Binary, append([]string{
		"-n", "--listening-ip=" + vethHTTPIP, "--relay-ip=" + vethRelayIP,
		fmt.Sprintf("--listening-port=%d", l.coturnPort),
		"--realm=voicewatch.e2e", "--use-auth-secret", "--static-auth-secret=" + turnSecret,
		"--no-dtls", "--no-cli", "--fingerprint", "--min-port=40000", "--max-port=40999",
		"--userdb=" + filepath.Join(l.dir, "turndb"), "--pidfile=" + filepath.Join(l.dir, "turn.pid"),
		"--log-file=stdout", "--simple-log"}, tlsArgs...)...)
	l.coturn = startProc(t, "coturn", path, args, nil)
	eventually(t, 10*time.Second, "coturn listens on TCP", func() bool {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("%s:%d", vethHTTPIP, l.coturnPort), 500*time.Millisecond)
		if c != nil {
			_ = c.Close()
		}
		return err == nil
	})
}

// ICE server lists of the media core, as YAML flow sequences.
func (l *mediaLab) turnTCP() string {
	return fmt.Sprintf(`{urls: ["turn:%s:%d?transport=tcp"], username: voicewatch, secret: "${TURN_SHARED_SECRET}"}`, vethHTTPIP, l.coturnPort)
}

// Configurations compared by the incident row.
const (
	// incidentICE is the incident's: one STUN server that never answers,
	// pion's 5 s STUN timeout, a 60 s gathering timeout, no TURN.
	incidentICE = `  servers: [{urls: ["stun:` + vethDeadIP + `:3478"]}]
  stun_gather_timeout: 5s
  gathering_timeout: 60s
`
	// directICE has no STUN or TURN server at all.
	directICE = "  servers: []\n"
)

// recommendedICE is what docs/deployment.md recommends: several STUN
// servers (one of them dead here), TURN over TCP, default timeouts.
func (l *mediaLab) recommendedICE() string {
	return fmt.Sprintf("  servers: [{urls: [\"stun:%s:3478\", \"stun:%s:%d\"]}, %s]\n", vethDeadIP, vethHTTPIP, l.coturnPort, l.turnTCP())
}

const labVoiceYAML = `listen: %s:%d
metrics_listen: %s:%d
auth:
  tokens: ["${VOICEWATCH_WHIP_TOKEN}"]
ice:
  ips: [%s/32]
  connect_timeout: 5s
  relay_acceptance_min_wait: 0s
%s
audio: {greeting: true, end_of_speech: 300ms}
store: {dir: %q}
http: {rate_per_second: 1000, burst: 2000}
`

// useVoice (re)starts the media core with the given ice: lines and waits
// until Prometheus scrapes it.
func (l *mediaLab) useVoice(name, ice string) {
	l.startVoice(name, ice)
	eventually(l.t, 30*time.Second, "prometheus scrapes the media core", func() bool {
		v, err := l.value(`up{job="voice"}`)
		return err == nil && v == 1
	})
}

// startVoice (re)starts the media core with the given ice: lines and waits
// until it is ready, without waiting for Prometheus.
func (l *mediaLab) startVoice(name, ice string) {
	t := l.t
	if l.voice != nil {
		l.voice.stop(10 * time.Second)
	}
	l.config = name
	cfg := l.write("voice-"+name+".yaml", fmt.Sprintf(labVoiceYAML, vethHTTPIP, l.voicePort, vethHTTPIP, l.metricsPort,
		vethMediaIP, ice, filepath.Join(l.dir, "sessions")))
	path, args := l.veth.inside(filepath.Join(l.bin, "agent"), "voice", "--config", cfg)
	l.voice = startProc(t, "voice-"+name, path, args, []string{"VOICEWATCH_WHIP_TOKEN=" + whipToken, "TURN_SHARED_SECRET=" + turnSecret})
	eventually(t, 15*time.Second, "media core ready", func() bool {
		if err := l.voice.exitedEarly(); err != nil {
			t.Fatal(err)
		}
		return httpOK(l.base + "/-/ready")
	})
}

func (l *mediaLab) startPrometheus() {
	t := l.t
	path := l.writePrometheusConfig(fmt.Sprintf("%s:%d", vethHTTPIP, l.metricsPort), "")
	l.promURL = "http://" + addr(l.promPort)
	l.prom = startProc(t, "prometheus", prometheusBin, []string{
		"--config.file=" + path, "--storage.tsdb.path=" + filepath.Join(l.dir, "tsdb"),
		"--web.listen-address=" + addr(l.promPort), "--log.level=warn", "--rules.alert.resend-delay=1s",
	}, nil)
	eventually(t, 30*time.Second, "prometheus ready", func() bool { return httpOK(l.promURL + "/-/ready") })
}

// voiceMetric sums the media core's series of name whose label set
// contains every one of labels (`k="v"`), read from its /metrics.
func (l *mediaLab) voiceMetric(name string, labels ...string) float64 {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://%s:%d/metrics", vethHTTPIP, l.metricsPort), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		ok := true
		for _, lb := range labels {
			ok = ok && strings.Contains(line, lb)
		}
		if !ok {
			continue
		}
		f := strings.Fields(line)
		if v, err := strconv.ParseFloat(f[len(f)-1], 64); err == nil {
			sum += v
		}
	}
	return sum
}

// gatherings returns the server's ICE gathering durations (seconds) logged
// by the running media core.
func (l *mediaLab) gatherings() []float64 {
	f, err := os.Open(l.voice.logPath())
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []float64
	dec := json.NewDecoder(f)
	for {
		var ev map[string]any
		if err := dec.Decode(&ev); err == io.EOF {
			return out
		} else if err != nil {
			return out
		}
		if ev["event"] == "ice.gathering" {
			if d, ok := ev["duration_seconds"].(float64); ok {
				out = append(out, d)
			}
		}
	}
}

// dial opens the test page and clicks Call; it does not wait.
func (l *mediaLab) dial(b *browser) error {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	return chromedp.Do(ctx, chromedp.Navigate(l.base+"/"), chromedp.SendKeys(chromedp.ID("token"), whipToken),
		chromedp.Click(chromedp.ID("call")))
}

// pageText returns the text of the element with id.
func pageText(b *browser, id string) string {
	s, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.getElementById("`+id+`").textContent`))
	return s
}

// waitCallState waits until the page's call state starts with one of want
// and returns it, or "" after d.
func waitCallState(b *browser, d time.Duration, want ...string) string {
	var got string
	eventuallyOr(d, func() bool {
		got = pageText(b, "call-state")
		for _, w := range want {
			if strings.HasPrefix(got, w) {
				return true
			}
		}
		return false
	})
	for _, w := range want {
		if strings.HasPrefix(got, w) {
			return got
		}
	}
	return ""
}

// TestMediaPathFaults replays the incident's own failure with a real
// Chromium against a media core in another network namespace: media UDP
// cut by a blackhole route while HTTP works, with and without TURN over
// TCP; a 10 s media blip mid-call; and the incident's ICE configuration
// next to the recommended one. Its rows go to docs/fault-matrix.md.
func TestMediaPathFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("starts coturn, agent voice, Prometheus, Alertmanager and Chromium (about 3 minutes)")
	}
	requireParts(t, true)
	results := ""
	if !netns.Inside() {
		buildBinaries(t)
		results = filepath.Join(t.TempDir(), "media.json")
		t.Setenv(envMediaResults, results)
	}
	if !netns.Run(t) {
		if !t.Failed() && (*update || os.Getenv("VOICEWATCH_E2E_UPDATE") == "1") {
			writeMediaRows(t, results)
		}
		return
	}
	start := time.Now()
	l := startMediaLab(t)
	t.Logf("[%s] lab up: media core %s (ICE on %s), coturn %s:%d (TCP)", since(start), l.base, vethMediaIP, vethHTTPIP, l.coturnPort)
	b := startBrowser(t, chromedp.Flag("unsafely-treat-insecure-origin-as-secure", l.base))
	var rows []mediaRow
	for _, r := range []struct {
		name string
		run  func(t *testing.T, l *mediaLab, b *browser) []mediaRow
	}{
		{"media UDP blocked, TURN over TCP", udpBlockedTURN},
		{"media blip", mediaBlip},
		{"incident config vs recommended", incidentVsRecommended},
		// Last: the replaced session ends abandoned, which opens a
		// session-completion ticket the rows above would wait out.
		{"long outage redial", mediaRedial},
	} {
		ok := t.Run(r.name, func(t *testing.T) {
			l.t = t
			defer l.veth.restoreMedia()
			rows = append(rows, r.run(t, l, b)...)
		})
		l.t = t
		t.Logf("[%s] %s done", since(start), r.name)
		if !ok {
			break
		}
	}
	if p := os.Getenv(envMediaResults); p != "" && !t.Failed() {
		b, err := json.MarshalIndent(rows, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// noPageSince fails t when the pager received a firing notification
// after t0, and returns the ticket notifications.
func noPageSince(t *testing.T, l *mediaLab, t0 time.Time) []string {
	var tickets []string
	for _, n := range l.pager.firingSince(t0) {
		if n.Receiver == "pager" {
			t.Errorf("paged: %v", n.Firing)
			continue
		}
		tickets = append(tickets, n.Firing...)
	}
	slices.Sort(tickets)
	return slices.Compact(tickets)
}

// udpBlockedTURN: media UDP to the media core is cut from the start; the
// media core offers TURN over TCP; every call connects through the relay
// and nobody is paged.
func udpBlockedTURN(t *testing.T, l *mediaLab, b *browser) []mediaRow {
	l.useVoice("turn-tcp", "  servers: ["+l.turnTCP()+"]\n")
	waitQuiet(t, l.stack, 60*time.Second)
	t0 := time.Now()
	l.veth.cutMedia()
	const calls = 3
	var connect []time.Duration
	var pairs []string
	for i := range calls {
		res, err := b.call(l.base, whipToken, false)
		if err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
		d, _ := time.ParseDuration(strings.ReplaceAll(res.Connect, " ", ""))
		connect = append(connect, d)
		pairs = append(pairs, res.Pair)
		if !strings.HasPrefix(res.Pair, "relay (tcp)") {
			t.Errorf("call %d: pair %q, want relay (tcp) (TURN over TCP)", i+1, res.Pair)
		}
	}
	watch(15 * time.Second)
	tickets := noPageSince(t, l, t0)
	if got := l.voiceMetric("voice_connections_total", `result="connected"`); got < calls {
		t.Errorf("connected = %v, want %d", got, calls)
	}
	slices.Sort(connect)
	return []mediaRow{{
		Fault:    "media UDP blocked, TURN over TCP configured",
		How:      "blackhole routes to the media core's ICE address and coturn's relay address (HTTP and TURN over TCP on another address still reachable); the media core offers `turn:…?transport=tcp` (coturn)",
		Expected: "every call connects through the relay over TCP; nobody paged",
		Measured: []string{fmt.Sprintf("%d/%d calls connected, pair %q; time to connected (page) median %s", len(connect), calls, pairs[0], connect[len(connect)/2]),
			fmt.Sprintf("tickets: %s", orNone(tickets))},
	}}
}

// secs renders seconds with millisecond precision.
func secs(v float64) string {
	return time.Duration(v * float64(time.Second)).Round(time.Millisecond).String()
}

func orNone(v []string) string {
	if len(v) == 0 {
		return "none"
	}
	return strings.Join(v, ", ")
}

// blipCount is how many blips the blip row measures.
func blipCount() int {
	if n, err := strconv.Atoi(os.Getenv(envBlips)); err == nil && n > 0 {
		return n
	}
	return 3
}

// mediaBlip: a call is up, the media path is cut for 10 s and restored;
// the page restarts ICE, audio flows again, and the session ends
// completed. Measured: path restored → the media core receives the
// caller's audio again.
func mediaBlip(t *testing.T, l *mediaLab, b *browser) []mediaRow {
	l.useVoice("direct", directICE)
	const outage = 10 * time.Second
	var restore []time.Duration
	var restarts []string
	completed0 := l.voiceMetric("voice_sessions_ended_total", `outcome="completed"`)
	n := blipCount()
	for i := range n {
		if _, err := b.open(l.base, whipToken, false); err != nil {
			t.Fatalf("blip %d: %v", i+1, err)
		}
		l.veth.cutMedia()
		watch(outage)
		in := l.voiceMetric("voice_rtp_packets_total", `direction="in"`)
		tr := time.Now()
		l.veth.restoreMedia()
		d := pollFine(20*time.Second, func() bool { return l.voiceMetric("voice_rtp_packets_total", `direction="in"`) > in })
		if d < 0 {
			t.Fatalf("blip %d: no audio from the caller 20s after the path came back; page:\n%s", i+1, pageText(b, "events"))
		}
		restore = append(restore, time.Since(tr))
		if st := waitCallState(b, 20*time.Second, "connected"); st == "" {
			t.Fatalf("blip %d: the page shows %q, want connected", i+1, pageText(b, "call-state"))
		}
		restarts = append(restarts, pageText(b, "restarts"))
		if got := pageText(b, "redials"); got != "0" {
			t.Errorf("blip %d: %s redials, want the call kept by ICE restarts", i+1, got)
		}
		if err := b.hangup(); err != nil {
			t.Fatal(err)
		}
		t.Logf("blip %d: audio back %s after the path, ICE restarts %s", i+1, restore[i].Round(time.Millisecond), restarts[i])
	}
	eventually(t, 10*time.Second, "every blipped session ended completed", func() bool {
		return l.voiceMetric("voice_sessions_ended_total", `outcome="completed"`)-completed0 >= float64(n)
	})
	if got := l.voiceMetric("voice_ice_restarts_total", `result="succeeded"`); got < float64(n) {
		t.Errorf("ICE restarts succeeded = %v, want ≥ %d", got, n)
	}
	writeBlipSamples(t, restore)
	med, p95 := quantiles(restore)
	return []mediaRow{{
		Fault:    "10 s media blip mid-call",
		How:      "blackhole route to the media core's ICE address for 10 s during a connected Chromium call (direct host path, no TURN)",
		Expected: "the page restarts ICE (reconnecting n/3), the call survives, the session ends completed",
		Measured: []string{fmt.Sprintf("%d/%d calls survived and ended completed; ICE restarts per blip: %s", n, n, tally(restarts)),
			fmt.Sprintf("path restored → caller audio at the media core: median %s, p95 %s (n=%d)", med, p95, n)},
	}}
}

// pollFine is eventuallyOr at a 10 ms resolution (a /metrics read on the
// veth takes about 1 ms), for measuring rather than waiting.
func pollFine(within time.Duration, cond func() bool) time.Duration {
	return poll(within, 10*time.Millisecond, cond)
}

// tally counts equal values: "2 (18×), 3 (2×)".
func tally(v []string) string {
	counts := map[string]int{}
	for _, x := range v {
		counts[x]++
	}
	keys := slices.Sorted(maps.Keys(counts))
	var out []string
	for _, k := range keys {
		out = append(out, fmt.Sprintf("%s (%d×)", k, counts[k]))
	}
	return strings.Join(out, ", ")
}

// mediaRedial: the media path stays cut after the page's ICE restarts ran
// out; the page redials (a new POST naming the old session) and, once the
// path is back, the new session connects.
func mediaRedial(t *testing.T, l *mediaLab, b *browser) []mediaRow {
	// Each row starts its own media core: a process started in a subtest
	// stops when that subtest ends.
	l.useVoice("direct", directICE)
	if _, err := b.open(l.base, whipToken, false); err != nil {
		t.Fatal(err)
	}
	old := strings.Fields(pageText(b, "session"))[0]
	t0 := time.Now()
	l.veth.cutMedia()
	if st := waitCallState(b, 90*time.Second, "redialing"); st == "" {
		t.Fatalf("the page never redialed; it shows %q", pageText(b, "call-state"))
	}
	redialAfter := time.Since(t0)
	tr := time.Now()
	l.veth.restoreMedia()
	if st := waitCallState(b, 60*time.Second, "connected"); st == "" {
		t.Fatalf("no new session connected after the path came back; the page shows %q", pageText(b, "call-state"))
	}
	back := time.Since(tr)
	session, redials := pageText(b, "session"), pageText(b, "redials")
	if !strings.Contains(session, "redial of "+old[:8]) {
		t.Errorf("the page's session %q does not name the old one %s", session, old)
	}
	linked := false
	for _, ev := range l.voiceEvents("session.started") {
		linked = linked || ev["redial_of"] == old
	}
	if !linked {
		t.Errorf("no session.started names %s in redial_of", old)
	}
	if err := b.hangup(); err != nil {
		t.Fatal(err)
	}
	t.Logf("redialed %s after the cut; connected %s after the path came back (%s redials)", redialAfter.Round(100*time.Millisecond), back.Round(100*time.Millisecond), redials)
	return []mediaRow{{
		Fault:    "media outage longer than the ICE restarts",
		How:      "blackhole route to the media core's ICE address until the page redials, then removed",
		Expected: "restarts run out, the page redials a new session (Voicewatch-Redial-Of) and connects once the path is back",
		Measured: []string{fmt.Sprintf("redialed %s after the cut (%s redials); the new session connected %s after the path came back; session.started carries redial_of",
			redialAfter.Round(100*time.Millisecond), redials, back.Round(100*time.Millisecond))},
	}}
}

// voiceEvents returns the running media core's log events named name.
func (l *mediaLab) voiceEvents(name string) []map[string]any {
	f, err := os.Open(l.voice.logPath())
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []map[string]any
	dec := json.NewDecoder(f)
	for {
		var ev map[string]any
		if err := dec.Decode(&ev); err != nil {
			return out
		}
		if ev["event"] == name {
			out = append(out, ev)
		}
	}
}

// quantiles returns the median and the 95th percentile (nearest rank).
func quantiles(d []time.Duration) (time.Duration, time.Duration) {
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s) == 0 {
		return 0, 0
	}
	rank := func(q float64) time.Duration {
		i := int(q*float64(len(s))+0.999999) - 1
		return s[max(0, min(i, len(s)-1))].Round(10 * time.Millisecond)
	}
	return rank(0.5), rank(0.95)
}

// writeBlipSamples records the restore-to-audio samples for the
// benchmark (VOICEWATCH_E2E_BLIP_SAMPLES=file).
func writeBlipSamples(t *testing.T, d []time.Duration) {
	p := os.Getenv("VOICEWATCH_E2E_BLIP_SAMPLES")
	if p == "" {
		return
	}
	var b strings.Builder
	for _, v := range d {
		fmt.Fprintf(&b, "%.3f\n", v.Seconds())
	}
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Error(err)
	}
}

// incidentVsRecommended: media UDP to the media core blocked (the
// incident's closed port range) under the incident's ICE config and under
// the recommended one, side by side; the incident's pages.
func incidentVsRecommended(t *testing.T, l *mediaLab, b *browser) []mediaRow {
	type outcome struct {
		name                 string
		started, connected   float64
		gatherMed, gatherMax float64
		pageGather           []string // Chromium's own gathering, as the page shows it
		pageErrors           []string // the page's STUN/TURN server errors, per call
		fired                []firedAlert
	}
	const calls = 2
	run := func(name, ice string, wantPage bool) outcome {
		l.useVoice(name, ice)
		waitQuiet(t, l.stack, 90*time.Second)
		l.veth.cutMedia()
		defer l.veth.restoreMedia()
		t0 := time.Now()
		var pageGather, pageErrors []string
		for i := range calls {
			if err := l.dial(b); err != nil {
				t.Fatalf("%s call %d: %v", name, i+1, err)
			}
			st := waitCallState(b, 60*time.Second, "connected", "call lost")
			t.Logf("%s call %d: %s", name, i+1, st)
			pageGather = append(pageGather, pageText(b, "gathering-ms"))
			// Chromium reports a 701 for every STUN/TURN transaction
			// pending when it closes a socket, and for each interface that
			// cannot reach a server: the page must not list the servers the
			// call went through as failing.
			errs := pageText(b, "ice-errors")
			pageErrors = append(pageErrors, errs)
			t.Logf("%s call %d: the page's STUN/TURN server errors: %s", name, i+1, errs)
			if st == "connected" && strings.Contains(errs, vethHTTPIP) {
				t.Errorf("%s call %d connected through coturn (%s), yet the page lists it as failing: %q", name, i+1, vethHTTPIP, errs)
			}
			if st == "connected" {
				if err := b.hangup(); err != nil {
					t.Fatal(err)
				}
			}
		}
		o := outcome{name: name, started: l.voiceMetric("voice_sessions_started_total"), connected: l.voiceMetric("voice_connections_total", `result="connected"`),
			pageGather: pageGather, pageErrors: pageErrors}
		g := l.gatherings()
		slices.Sort(g)
		if len(g) > 0 {
			o.gatherMed, o.gatherMax = g[len(g)/2], g[len(g)-1]
		}
		if wantPage {
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			at, err := l.pager.waitFiring(ctx, t0, "pager", alerts.AlertConnectionBudgetBurn)
			if err != nil {
				t.Fatalf("%s did not page within 90s; firing: %v", alerts.AlertConnectionBudgetBurn, l.firing())
			}
			o.fired = append(o.fired, firedAlert{Alert: alerts.AlertConnectionBudgetBurn, Receiver: "pager", After: at.Sub(t0)})
		} else {
			watch(10 * time.Second)
			noPageSince(t, l, t0)
		}
		return o
	}
	rec := run("recommended", l.recommendedICE(), false)
	inc := run("incident", incidentICE, true)
	if rec.connected < calls {
		t.Errorf("recommended config: %v of %v sessions connected, want every call", rec.connected, rec.started)
	}
	if inc.connected != 0 {
		t.Errorf("incident config: %v sessions connected with the media path blocked and no TURN", inc.connected)
	}
	side := func(o outcome) string {
		return fmt.Sprintf("%s: %v/%v sessions connected; media core ICE gathering median %s, max %s; Chromium's gathering (first session of each call) %s; the page's STUN/TURN server errors: %s",
			o.name, o.connected, o.started, secs(o.gatherMed), secs(o.gatherMax), strings.Join(o.pageGather, ", "), o.pageErrors[0])
	}
	return []mediaRow{
		{
			Fault:    "media UDP blocked, no TURN (the incident)",
			How:      "blackhole route to the media core's ICE address; the incident's ICE config (one dead STUN server, no TURN); the page redials twice per call",
			Expected: "every call times out (connect_timeout), the page says \"call lost\"; page VoiceConnectionErrorBudgetBurn",
			Measured: []string{side(inc)},
			Fired:    inc.fired,
		},
		{
			Fault:    "incident ICE config vs recommended, media UDP blocked",
			How:      "the same cut under `servers: [stun:dead]`, `stun_gather_timeout: 5s`, `gathering_timeout: 60s` versus the recommended `servers: [stun:dead, stun:coturn, turn:coturn?transport=tcp]` with default timeouts",
			Expected: "recommended: every call connects via TURN/TCP, gathering ends early; incident: none connects, gathering waits for the dead STUN server",
			Measured: []string{side(rec), side(inc)},
		},
	}
}

// writeMediaRows renders the rows under the media path heading of
// docs/fault-matrix.md, keeping the fault → page table above it.
func writeMediaRows(t *testing.T, results string) {
	b, err := os.ReadFile(results)
	if err != nil {
		t.Fatalf("read the rows written inside the namespace: %v", err)
	}
	var rows []mediaRow
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	var w strings.Builder
	w.WriteString(mediaMarker + "\n\n## Media path faults\n\n")
	env := ""
	if n := os.Getenv(envBlips); n != "" {
		env = envBlips + "=" + n + " "
	}
	fmt.Fprintf(&w, "Generated by `%sgo test ./e2e -run TestMediaPathFaults -update` on %s; DO NOT EDIT by hand. "+
		"coturn and `agent voice` run in a second network namespace joined to the test's by a veth pair: HTTP and TURN on %s, "+
		"the media core's ICE on %s only, coturn's relay ports on %s. Blackhole routes to both cut every UDP path from Chromium to the media core while signalling (and TURN over TCP) stays up. "+
		"Chromium opens the test page (reconnect.js: ICE restart after 1, 2, 4 s while disconnected; redial on failure). "+
		"Prometheus scrapes the media core and evaluates the generated rules at time scale %d; Alertmanager runs the committed routes.\n\n",
		env, time.Now().UTC().Format("2006-01-02"), vethHTTPIP, vethMediaIP, vethRelayIP, timeScale)
	w.WriteString("| fault | injected by | expected | measured | alerts notified (receiver, time to fire) |\n|---|---|---|---|---|\n")
	for _, r := range rows {
		var fired []string
		for _, f := range r.Fired {
			fired = append(fired, fmt.Sprintf("%s → %s, %s", f.Alert, f.Receiver, f.After.Round(100*time.Millisecond)))
		}
		fmt.Fprintf(&w, "| %s | %s | %s | %s | %s |\n", r.Fault, r.How, r.Expected, strings.Join(r.Measured, "<br>"), orNone(fired))
	}
	writeMatrixSection(t, w.String())
}
