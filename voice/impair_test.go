package voice

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/logging"
	"github.com/pion/transport/v5/vnet"
	"github.com/pion/webrtc/v4"

	"github.com/voicewatch/voicewatch/internal/turnserver"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

var labReport = flag.String("lab-report", "", "write the impairment lab matrix (Markdown) to this file")

// Addresses of the virtual internet (pion vnet: no packet leaves the process).
const (
	labTURN      = "1.2.3.4"
	labDeadSTUN  = "1.2.3.99" // nothing listens here: requests vanish
	labServerPub = "5.6.7.8"
	labClientPub = "9.9.9.9"
)

var (
	fullCone  = vnet.NATType{MappingBehavior: vnet.EndpointIndependent, FilteringBehavior: vnet.EndpointIndependent}
	symmetric = vnet.NATType{MappingBehavior: vnet.EndpointAddrPortDependent, FilteringBehavior: vnet.EndpointAddrPortDependent}
)

type labScenario struct {
	name        string
	clientNAT   vnet.NATType
	lossPercent int
	// delay is the one-way delay added to every packet into the caller's
	// and into the media core's network (RTT = 2×delay), varied uniformly
	// by ±jitter/2 each way (a queue: no reordering).
	delay, jitter time.Duration
	blockDirect   bool // drop client↔server packets: only the TURN server is reachable
	// connectTimeout is the media core's ice.connect_timeout (default here
	// 5 s, to keep failing calls short; the product default is 30 s).
	connectTimeout time.Duration
	clientTURN     bool
	serverTURN     bool
	serverSTUN     []string // server's STUN servers (host:port)
	calls          int
	// expectations
	wantPair   func(local, remote string) bool // nil = any
	pairDesc   string
	minSuccess int
	wantGather gatherEnd
}

type labResult struct {
	scenario   labScenario
	success    int
	pairs      []string
	setupMs    []float64
	gatherMs   []float64
	gatherEnds []string
	failures   []string // the media core's reasons for sessions that never connected
}

// lab is one virtual topology: a WAN with a TURN/STUN server, the media core
// behind a full-cone NAT, the caller behind the scenario's NAT.
type lab struct {
	wan       *vnet.Router
	serverNet *vnet.Net
	clientNet *vnet.Net
	turn      *turnserver.Server
}

func newLab(t *testing.T, sc labScenario) *lab {
	t.Helper()
	wan, err := vnet.NewRouter(&vnet.RouterConfig{CIDR: "0.0.0.0/0", LoggerFactory: quietLogs()})
	if err != nil {
		t.Fatal(err)
	}
	turnNet, err := vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{labTURN}})
	must(t, err)
	must(t, wan.AddNet(turnNet))

	serverLAN, err := vnet.NewRouter(&vnet.RouterConfig{CIDR: "10.1.0.0/24", StaticIPs: []string{labServerPub}, NATType: &fullCone, LoggerFactory: quietLogs()})
	must(t, err)
	serverNet, err := vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{"10.1.0.2"}})
	must(t, err)
	if sc.delay > 0 {
		must(t, serverLAN.AddNet(delayed(t, serverNet, sc.delay, sc.jitter)))
	} else {
		must(t, serverLAN.AddNet(serverNet))
	}
	must(t, wan.AddRouter(serverLAN))

	nat := sc.clientNAT
	clientLAN, err := vnet.NewRouter(&vnet.RouterConfig{CIDR: "192.168.0.0/24", StaticIPs: []string{labClientPub}, NATType: &nat, LoggerFactory: quietLogs()})
	must(t, err)
	clientNet, err := vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{"192.168.0.2"}})
	must(t, err)
	switch {
	case sc.lossPercent > 0:
		lf, err := vnet.NewLossFilter(clientNet, sc.lossPercent)
		must(t, err)
		must(t, clientLAN.AddNet(lf))
	case sc.delay > 0:
		must(t, clientLAN.AddNet(delayed(t, clientNet, sc.delay, sc.jitter)))
	default:
		must(t, clientLAN.AddNet(clientNet))
	}
	must(t, wan.AddRouter(clientLAN))
	if sc.blockDirect {
		wan.AddChunkFilter(func(c vnet.Chunk) bool {
			src, dst := hostOf(c.SourceAddr()), hostOf(c.DestinationAddr())
			return !(src == labClientPub && dst == labServerPub || src == labServerPub && dst == labClientPub)
		})
	}
	must(t, wan.Start())
	ts, err := turnserver.Start(turnserver.Config{Listen: labTURN + ":3478", Users: map[string]string{"lab": "labpass"},
		Net: turnNet, NoTCP: true})
	must(t, err)
	l := &lab{wan: wan, serverNet: serverNet, clientNet: clientNet, turn: ts}
	t.Cleanup(func() {
		_ = ts.Close()
		_ = wan.Stop()
	})
	return l
}

// delayed wraps nic in a vnet delay filter of d ± jitter/2, the delay
// redrawn every 5 ms until the test ends.
func delayed(t *testing.T, nic vnet.NIC, d, jitter time.Duration) vnet.NIC {
	f, err := vnet.NewDelayFilter(nic, vnet.WithDelay(d))
	must(t, err)
	if jitter > 0 {
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			tick := time.NewTicker(5 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					f.SetDelay(d - jitter/2 + rand.N(jitter))
				}
			}
		}()
		t.Cleanup(func() { close(stop); <-done })
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func quietLogs() logging.LoggerFactory {
	lf := logging.NewDefaultLoggerFactory()
	lf.DefaultLogLevel = logging.LogLevelError
	return lf
}

func hostOf(a net.Addr) string {
	h, _, _ := net.SplitHostPort(a.String())
	return h
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func labCalls(def int) int {
	return envInt("VOICEWATCH_LAB_CALLS", def)
}

// labParallel is how many calls of a scenario run at once
// (VOICEWATCH_LAB_PARALLEL, default 1).
func labParallel() int { return envInt("VOICEWATCH_LAB_PARALLEL", 1) }

func envInt(name string, def int) int {
	var n int
	if _, err := fmt.Sscan(os.Getenv(name), &n); err == nil && n > 0 {
		return n
	}
	return def
}

func TestImpairmentLab(t *testing.T) {
	if testing.Short() {
		t.Skip("impairment lab: several calls per scenario")
	}
	turnURL := "turn:" + labTURN + ":3478?transport=udp"
	reflexive := func(_, remote string) bool { return remote == "srflx" || remote == "prflx" }
	remoteRelay := func(_, remote string) bool { return remote == "relay" }
	localRelay := func(local, _ string) bool { return local == "relay" }
	stun := []string{labTURN + ":3478"}
	n := labCalls(3)
	scenarios := []labScenario{
		{name: "caller behind full-cone NAT, STUN only", clientNAT: fullCone, calls: n, serverSTUN: stun,
			wantPair: reflexive, pairDesc: "remote srflx/prflx", minSuccess: n, wantGather: gatherEnough},
		{name: "caller behind symmetric NAT, only TURN reachable, caller uses TURN", clientNAT: symmetric, blockDirect: true,
			clientTURN: true, calls: n, serverSTUN: stun,
			wantPair: remoteRelay, pairDesc: "remote relay", minSuccess: n, wantGather: gatherEnough},
		{name: "caller behind symmetric NAT, only TURN reachable, media core uses TURN", clientNAT: symmetric, blockDirect: true,
			serverTURN: true, calls: n, serverSTUN: stun,
			wantPair: localRelay, pairDesc: "local relay", minSuccess: n, wantGather: gatherEnough},
		{name: "caller behind symmetric NAT, only TURN reachable, nobody uses TURN", clientNAT: symmetric, blockDirect: true,
			calls: 1, serverSTUN: stun, minSuccess: 0, wantGather: gatherEnough},
		{name: "caller behind full-cone NAT, 5 % packet loss", clientNAT: fullCone, lossPercent: 5, calls: n, serverSTUN: stun,
			serverTURN: true, minSuccess: (n + 1) / 2, wantGather: gatherEnough},
		{name: "caller behind full-cone NAT, 15 % packet loss", clientNAT: fullCone, lossPercent: 15, calls: n, serverSTUN: stun,
			serverTURN: true, minSuccess: (n + 1) / 2, wantGather: gatherEnough},
		{name: "caller behind full-cone NAT, 15 % packet loss, default connect timeout (30 s)", clientNAT: fullCone, lossPercent: 15,
			connectTimeout: 30 * time.Second, calls: n, serverSTUN: stun, serverTURN: true, minSuccess: (n + 1) / 2, wantGather: gatherEnough},
		{name: "caller behind full-cone NAT, 300 ms RTT, 50 ms jitter", clientNAT: fullCone, delay: 150 * time.Millisecond,
			jitter: 50 * time.Millisecond, calls: n, serverSTUN: stun, minSuccess: n, wantGather: gatherEnough},
		{name: "one of two STUN servers never answers", clientNAT: fullCone, calls: n,
			serverSTUN: []string{labDeadSTUN + ":3478", labTURN + ":3478"},
			wantPair:   reflexive, pairDesc: "remote srflx/prflx", minSuccess: n, wantGather: gatherEnough},
	}
	var results []labResult
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			l := newLab(t, sc)
			cfg := loopbackConfig(t)
			cfg.ICE.Interfaces = nil
			cfg.ICE.IncludeLoopback = false
			cfg.ICE.ConnectTimeout = cmp.Or(sc.connectTimeout, 5*time.Second)
			// Every lab caller comes from one address: lift the per-client
			// rate limit (20/s) out of the way of 200 calls.
			cfg.HTTP.RatePerSecond, cfg.HTTP.Burst = 10000, 20000
			for _, s := range sc.serverSTUN {
				cfg.ICE.Servers = append(cfg.ICE.Servers, ICEServer{URLs: []string{"stun:" + s}})
			}
			if sc.serverTURN {
				cfg.ICE.Servers = append(cfg.ICE.Servers, ICEServer{URLs: []string{turnURL}, Username: "lab", Credential: "labpass"})
			}
			ts := startServer(t, cfg, WithNet(l.serverNet))
			res := labResult{scenario: sc}
			var mu sync.Mutex
			var connected []string // session IDs
			sem := make(chan struct{}, labParallel())
			var wg sync.WaitGroup
			for range sc.calls {
				sem <- struct{}{}
				wg.Go(func() {
					defer func() { <-sem }()
					id, setup := labCall(t, ts, l, sc, turnURL)
					mu.Lock()
					defer mu.Unlock()
					if id != "" {
						res.success++
						connected = append(connected, id)
						res.setupMs = append(res.setupMs, setup.Seconds()*1000)
					}
				})
			}
			wg.Wait()
			// The server's selected pair of each connected call, read once
			// (parsing the log per call is quadratic at 800 calls).
			pairOf := map[string]string{}
			voicetest.Eventually(t, 10*time.Second, "a selected pair event per connected call", func() bool {
				for _, e := range ts.logs.Find(EventICESelectedPair, nil) {
					id := fmt.Sprint(e["session_id"])
					if _, seen := pairOf[id]; !seen {
						pairOf[id] = fmt.Sprintf("%s/%s/%s", e["local_type"], e["remote_type"], e["protocol"])
					}
				}
				for _, id := range connected {
					if _, ok := pairOf[id]; !ok {
						return false
					}
				}
				return true
			})
			for _, id := range connected {
				res.pairs = append(res.pairs, pairOf[id])
			}
			for _, e := range ts.logs.Find(EventSessionEnded, map[string]any{"outcome": voicemetrics.OutcomeFailed}) {
				res.failures = append(res.failures, fmt.Sprint(e["reason"]))
			}
			for _, e := range ts.logs.Find(EventICEGathering, nil) {
				res.gatherMs = append(res.gatherMs, e["duration_seconds"].(float64)*1000)
				res.gatherEnds = append(res.gatherEnds, e["complete"].(string))
			}
			voicetest.Eventually(t, cfg.ICE.ConnectTimeout+30*time.Second, "sessions to end", func() bool { return ts.ActiveSessions() == 0 })
			if res.success < sc.minSuccess {
				t.Errorf("%d/%d calls connected, want ≥ %d", res.success, sc.calls, sc.minSuccess)
			}
			if sc.minSuccess == 0 && res.success > 0 {
				t.Errorf("%d calls connected where none can", res.success)
			}
			for _, p := range res.pairs {
				parts := strings.Split(p, "/")
				if sc.wantPair != nil && !sc.wantPair(parts[0], parts[1]) {
					t.Errorf("selected pair %s, want %s", p, sc.pairDesc)
				}
			}
			for _, g := range res.gatherEnds {
				if gatherEnd(g) != sc.wantGather {
					t.Errorf("gathering ended %q, want %q (a dead or slow server must not hold the answer)", g, sc.wantGather)
				}
			}
			if sc.minSuccess == 0 {
				failed := ts.metric(t, voicemetrics.MetricConnections, voicemetrics.LabelResult, voicemetrics.ConnectionFailed) + ts.metric(t, voicemetrics.MetricConnections, voicemetrics.LabelResult, voicemetrics.ConnectionTimeout)
				if failed != float64(sc.calls) {
					t.Errorf("connections failed+timeout = %v, want %d", failed, sc.calls)
				}
			}
			results = append(results, res)
		})
	}
	if *labReport != "" {
		writeLabReport(t, *labReport, results)
	}
}

// labCall places one call from the lab's caller; it returns the session ID
// when the call connected ("" otherwise) and the time from the call to
// connected. It runs on its own goroutine: it never fails the test.
func labCall(t *testing.T, ts *testServer, l *lab, sc labScenario, turnURL string) (string, time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), ts.cfg.ICE.ConnectTimeout+15*time.Second)
	defer cancel()
	o := voicetest.CallerOptions{Net: l.clientNet, ICEServers: []webrtc.ICEServer{{URLs: []string{"stun:" + labTURN + ":3478"}}}}
	if sc.clientTURN {
		o.ICEServers = append(o.ICEServers, webrtc.ICEServer{URLs: []string{turnURL}, Username: "lab", Credential: "labpass"})
	}
	c := voicetest.NewCaller(t, ts.base, o)
	defer func() { _ = c.PC.Close() }()
	start := time.Now()
	if _, err := c.Call(ctx); err != nil {
		t.Logf("call: %v", err)
		return "", 0
	}
	id := c.Location[strings.LastIndex(c.Location, "/")+1:]
	timer := time.NewTimer(ts.cfg.ICE.ConnectTimeout + 5*time.Second) // beyond the media core's connect timeout
	defer timer.Stop()
	select {
	case <-c.Connected():
	case <-timer.C:
		_, _ = c.Hangup(ctx)
		return "", 0
	}
	setup := time.Since(start)
	// Hang up once the media core counts the call connected too (its
	// selected pair is logged then).
	for serverConnected := false; !serverConnected && ctx.Err() == nil; {
		sess, ok := ts.lookup(id)
		if !ok {
			break // the session already ended
		}
		sess.mu.Lock()
		serverConnected = !sess.connectedAt.IsZero()
		sess.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Millisecond):
		}
	}
	_, _ = c.Hangup(ctx)
	return id, setup
}

func writeLabReport(t *testing.T, path string, results []labResult) {
	var b strings.Builder
	b.WriteString("| scenario | connected | success, 95 % Wilson interval | failed sessions by reason | selected pairs (server local/remote/proto) | call → connected incl. the caller's gathering (ms, median / p95) | server ICE gathering (ms, median) | gathering ended by |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		pairs := slices.Compact(slices.Sorted(slices.Values(r.pairs)))
		ends := slices.Compact(slices.Sorted(slices.Values(r.gatherEnds)))
		lo, hi := voicetest.Wilson95(r.success, r.scenario.calls)
		reasons := map[string]int{}
		for _, f := range r.failures {
			reasons[f]++
		}
		var fails []string
		for _, k := range slices.Sorted(maps.Keys(reasons)) {
			fails = append(fails, fmt.Sprintf("%s %d", k, reasons[k]))
		}
		if len(fails) == 0 {
			fails = []string{"–"}
		}
		fmt.Fprintf(&b, "| %s | %d/%d | %.1f %% [%.1f, %.1f] | %s | %s | %.0f / %.0f | %.1f | %s |\n", r.scenario.name, r.success, r.scenario.calls,
			100*float64(r.success)/float64(r.scenario.calls), 100*lo, 100*hi, strings.Join(fails, ", "),
			strings.Join(pairs, ", "), median(r.setupMs), voicetest.Percentile(r.setupMs, 0.95), median(r.gatherMs), strings.Join(ends, ", "))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(v))
	return s[len(s)/2]
}
