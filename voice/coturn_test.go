package voice

import (
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/voicewatch/voicewatch/internal/coturntest"
	"github.com/voicewatch/voicewatch/internal/netns"
	"github.com/voicewatch/voicewatch/internal/secret"
	"github.com/voicewatch/voicewatch/internal/turncred"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

func startCoturn(t testing.TB) *coturntest.Server {
	t.Helper()
	if _, err := exec.LookPath(coturntest.Binary); err != nil {
		netns.Missing(t, "coturn (Debian package coturn)")
	}
	return coturntest.Start(t, coturntest.Options{Secret: "coturn-rest-secret", AllowLoopbackPeers: true})
}

// TestRelayOnlyViaCoturn proves the TURN path end to end: a relay-only caller
// reaches the media core through a real coturn, and the media core records a
// relay pair; the media core itself gathers srflx and relay candidates from
// the same coturn with REST credentials.
func TestRelayOnlyViaCoturn(t *testing.T) {
	ct := startCoturn(t)
	cfg := loopbackConfig(t)
	cfg.ICE.Servers = []ICEServer{
		{URLs: []string{ct.STUNURI()}},
		{URLs: []string{ct.TURNURI("udp")}, Username: "voice", Secret: secret.Secret(ct.Secret), TTL: time.Hour},
	}
	ts := startServer(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	user, pass := restCreds(ct.Secret)
	c := voicetest.NewCaller(t, ts.base, voicetest.CallerOptions{RelayOnly: true,
		ICEServers: []webrtc.ICEServer{{URLs: []string{ct.TURNURI("udp")}, Username: user, Credential: pass}}})
	if _, err := c.Call(ctx); err != nil {
		t.Fatal(err)
	}
	voicetest.WaitFor(t, "connected through coturn", c.Connected(), 10*time.Second)
	if _, err := c.Speak(ctx, 400*time.Millisecond, 500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	voicetest.WaitFor(t, "echo through the relay", c.GotAudio(), 5*time.Second)
	if got := ts.metric(t, voicemetrics.MetricICESelectedPairs, voicemetrics.LabelRemoteType, "relay"); got != 1 {
		t.Errorf("pairs with a relay remote candidate = %v, want 1", got)
	}
	g := ts.logs.Find(EventICEGathering, nil)
	if len(g) != 1 || g[0]["complete"] == string(gatherTimeout) {
		t.Errorf("gathering with coturn: %v", g)
	}
	_, _ = c.Hangup(ctx)
}

func restCreds(secretValue string) (string, string) {
	return turncred.REST(secretValue, "caller", time.Hour, time.Now())
}

// BenchmarkICEGatheringCoturn is the media core's ICE gathering with STUN and
// TURN (REST credentials) on a local coturn, per call; compare with
// BenchmarkSTUNBindingCoturn, one raw STUN round trip to the same server.
func BenchmarkICEGatheringCoturn(b *testing.B) {
	ct := startCoturn(b)
	cfg := loopbackConfig(b)
	cfg.HTTP.RatePerSecond, cfg.HTTP.Burst = 1e4, 1e4 // one client places every call
	cfg.ICE.Servers = []ICEServer{
		{URLs: []string{ct.STUNURI()}},
		{URLs: []string{ct.TURNURI("udp")}, Username: "voice", Secret: secret.Secret(ct.Secret), TTL: time.Hour},
	}
	ts := startServer(b, cfg)
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c := voicetest.NewCaller(b, ts.base, voicetest.CallerOptions{})
		if _, err := c.Call(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		_, _ = c.Hangup(ctx)
		_ = c.PC.Close()
		cancel()
		b.StartTimer()
	}
	var ms []time.Duration
	for _, e := range ts.logs.Find(EventICEGathering, nil) {
		ms = append(ms, time.Duration(e["duration_seconds"].(float64)*float64(time.Second)))
	}
	reportMedian(b, ms)
}

func BenchmarkSTUNBindingCoturn(b *testing.B) {
	ct := startCoturn(b)
	var ms []time.Duration
	for b.Loop() {
		start := time.Now()
		if err := coturntest.Binding(ct.Addr, time.Second); err != nil {
			b.Fatal(err)
		}
		ms = append(ms, time.Since(start))
	}
	reportMedian(b, ms)
}

// TestGatheringWithUDPTURNBlocked: the incident's closed UDP, as the media
// core meets it: its STUN server and its TURN-over-UDP server never answer
// (a loopback UDP port that reads and drops), TURN over TCP on a real coturn
// does. The answer goes out with the TCP relay once the STUN wait is over
// (gathering ends "enough"), not after TURN over UDP has retransmitted its
// Allocate for about 8 s ("complete").
func TestGatheringWithUDPTURNBlocked(t *testing.T) {
	ct := startCoturn(t)
	dead, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer dead.Close()
	go func() { // owner: this test; exits when dead is closed
		buf := make([]byte, 1500)
		for {
			if _, _, err := dead.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	cfg := loopbackConfig(t)
	cfg.ICE.STUNGatherTimeout = 500 * time.Millisecond
	cfg.ICE.Servers = []ICEServer{
		{URLs: []string{"stun:" + dead.LocalAddr().String()}},
		{URLs: []string{"turn:" + dead.LocalAddr().String() + "?transport=udp", ct.TURNURI("tcp")},
			Username: "voice", Secret: secret.Secret(ct.Secret), TTL: time.Hour},
	}
	ts := startServer(t, cfg)
	ctx, c := ts.call(t, 20*time.Second)
	g := ts.logs.Find(EventICEGathering, nil)
	if len(g) != 1 || g[0]["complete"] != string(gatherEnough) {
		t.Fatalf("gathering with STUN and TURN/UDP dead, TURN/TCP up: %v, want complete=%s", g, gatherEnough)
	}
	t.Logf("gathering ended %s after %.3fs (ice.stun_gather_timeout %s)", g[0]["complete"], g[0]["duration_seconds"], cfg.ICE.STUNGatherTimeout)
	if sdp := c.PC.RemoteDescription().SDP; !strings.Contains(sdp, "typ relay") {
		t.Errorf("the answer has no relay candidate (TURN over TCP):\n%s", sdp)
	}
	voicetest.WaitFor(t, "connected", c.Connected(), 10*time.Second)
	_, _ = c.Hangup(ctx)
}
