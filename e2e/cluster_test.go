package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pion/webrtc/v4"

	"github.com/voicewatch/voicewatch/internal/coturntest"
	"github.com/voicewatch/voicewatch/internal/netns"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

const haproxyBin = "/usr/sbin/haproxy"

const clusterVoiceYAML = `listen: 127.0.0.1:%d
auth:
  tokens: ["${VOICEWATCH_WHIP_TOKEN}"]
ice:
  include_loopback: true
  interfaces: [lo]
audio: {greeting: true, end_of_speech: 300ms}
store: {dir: %q}
cluster: {advertise_url: "http://127.0.0.1:%d"}
http:
  trusted_proxies: [127.0.0.1/32]
  rate_per_second: 1000
  burst: 2000
`

// haproxy in HTTP mode balances every request on its own, round-robin:
// consecutive requests of one session land on different media cores.
const haproxyCfg = `global
  maxconn 200
defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout tunnel 1h
  option forwardfor
frontend whip
  bind 127.0.0.1:%d
  default_backend voice
backend voice
  balance roundrobin
  server a 127.0.0.1:%d
  server b 127.0.0.1:%d
`

// cluster is two media cores sharing one store directory (the session
// directory) behind haproxy.
type cluster struct {
	lb    string
	cores []string
}

func startCluster(t *testing.T) *cluster {
	t.Helper()
	bin := os.Getenv(envBin)
	dir := t.TempDir()
	store := filepath.Join(dir, "sessions")
	c := &cluster{}
	var ports []int
	for i, name := range []string{"voice-a", "voice-b"} {
		port := coturntest.FreePort(t)
		ports = append(ports, port)
		cfg := filepath.Join(dir, name+".yaml")
		if err := os.WriteFile(cfg, fmt.Appendf(nil, clusterVoiceYAML, port, store, port), 0o600); err != nil {
			t.Fatal(err)
		}
		p := startProc(t, name, filepath.Join(bin, "agent"), []string{"voice", "--config", cfg}, []string{"VOICEWATCH_WHIP_TOKEN=" + whipToken})
		c.cores = append(c.cores, "http://"+addr(port))
		eventually(t, 15*time.Second, name+" ready", func() bool {
			if err := p.exitedEarly(); err != nil {
				t.Fatal(err)
			}
			return httpOK(c.cores[i] + "/-/ready")
		})
	}
	lbPort := coturntest.FreePort(t)
	cfg := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, haproxyCfg, lbPort, ports[0], ports[1]), 0o600); err != nil {
		t.Fatal(err)
	}
	lb := startProc(t, "haproxy", haproxyBin, []string{"-f", cfg, "-db"}, nil)
	c.lb = "http://" + addr(lbPort)
	eventually(t, 10*time.Second, "haproxy ready", func() bool {
		if err := lb.exitedEarly(); err != nil {
			t.Fatal(err)
		}
		return httpOK(c.lb + "/-/ready")
	})
	return c
}

// metric sums a media core's series of name containing labels.
func metricAt(base, name string, labels ...string) float64 {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var sum float64
	for line := range strings.Lines(string(b)) {
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(line, l)
		}
		var v float64
		if f := strings.Fields(line); ok && len(f) > 1 {
			if _, err := fmt.Sscan(f[len(f)-1], &v); err == nil {
				sum += v
			}
		}
	}
	return sum
}

func (c *cluster) sum(name string, labels ...string) float64 {
	var s float64
	for _, b := range c.cores {
		s += metricAt(b, name, labels...)
	}
	return s
}

var (
	clUfragRE = regexp.MustCompile(`a=ice-ufrag:(\S+)`)
	clPwdRE   = regexp.MustCompile(`a=ice-pwd:(\S+)`)
	clCandRE  = regexp.MustCompile(`a=candidate:[^\r\n]+`)
)

// pionClusterCall: POST, trickle, ICE restart and DELETE of one pion call,
// every request through the load balancer; audio after the restart.
func pionClusterCall(t *testing.T, c *cluster) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	caller := voicetest.NewCaller(t, c.lb, voicetest.CallerOptions{Token: whipToken})
	resp, err := caller.Call(ctx)
	if err != nil {
		t.Fatal(err)
	}
	etag := resp.Header.Get("ETag")
	voicetest.WaitFor(t, "connected", caller.Connected(), 10*time.Second)
	local := caller.PC.LocalDescription().SDP
	head := "a=ice-ufrag:" + clUfragRE.FindStringSubmatch(local)[1] + "\r\na=ice-pwd:" + clPwdRE.FindStringSubmatch(local)[1] + "\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\n"
	for i := range 2 { // two trickle PATCHes: round-robin sends one of them to the other core
		code, _, body, err := caller.Patch(ctx, etag, head+clCandRE.FindString(local)+"\r\n")
		if err != nil || code != http.StatusNoContent {
			t.Fatalf("trickle %d: %d %v %s", i+1, code, err, body)
		}
	}
	offer, err := caller.PC.CreateOffer(&webrtc.OfferOptions{ICERestart: true})
	if err != nil {
		t.Fatal(err)
	}
	done := webrtc.GatheringCompletePromise(caller.PC)
	if err := caller.PC.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-done
	local = caller.PC.LocalDescription().SDP
	frag := "a=ice-ufrag:" + clUfragRE.FindStringSubmatch(local)[1] + "\r\na=ice-pwd:" + clPwdRE.FindStringSubmatch(local)[1] + "\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\n"
	for _, cand := range clCandRE.FindAllString(local, -1) {
		frag += cand + "\r\n"
	}
	code, _, body, err := caller.Patch(ctx, "*", frag)
	if err != nil || code != http.StatusOK {
		t.Fatalf("ICE restart through the load balancer: %d %v %s", code, err, body)
	}
	answer := caller.PC.RemoteDescription().SDP
	sdp := clCandRE.ReplaceAllString(answer, "")
	sdp = strings.ReplaceAll(sdp, "\r\n\r\n", "\r\n")
	sdp = clUfragRE.ReplaceAllString(sdp, "a=ice-ufrag:"+clUfragRE.FindStringSubmatch(body)[1])
	sdp = clPwdRE.ReplaceAllString(sdp, "a=ice-pwd:"+clPwdRE.FindStringSubmatch(body)[1])
	sdp = strings.Replace(sdp, "a=ice-pwd:", strings.Join(clCandRE.FindAllString(body, -1), "\r\n")+"\r\na=ice-pwd:", 1)
	if err := caller.PC.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp}); err != nil {
		t.Fatal(err)
	}
	last, err := caller.Speak(ctx, 400*time.Millisecond, 500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "echo after the restart", func() bool { _, ok := caller.FirstArrivalAfter(last); return ok })
	if code, err := caller.Hangup(ctx); err != nil || code != http.StatusOK {
		t.Fatalf("DELETE through the load balancer: %d %v", code, err)
	}
}

// TestClusterBehindLoadBalancer runs two media cores behind haproxy doing
// round-robin per request: every session's trickle PATCHes, ICE restart,
// /events WebSocket and DELETE reach the core that holds it (forwarded
// through the session directory), for pion and for Chromium.
func TestClusterBehindLoadBalancer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two media cores, haproxy and Chromium")
	}
	if _, err := os.Stat(haproxyBin); err != nil {
		netns.Missing(t, "haproxy (Debian package haproxy)")
	}
	requireParts(t, true)
	buildBinaries(t)
	if !netns.Run(t) {
		return
	}
	c := startCluster(t)
	const pionCalls = 4
	for i := range pionCalls {
		t.Run(fmt.Sprintf("pion call %d", i+1), func(t *testing.T) { pionClusterCall(t, c) })
	}
	eventually(t, 10*time.Second, "pion sessions ended completed", func() bool {
		return c.sum(voicemetrics.MetricSessionsEnded, `outcome="completed"`) == pionCalls
	})
	if got := c.sum(voicemetrics.MetricICERestarts, `result="succeeded"`); got != pionCalls {
		t.Errorf("ICE restarts succeeded = %v, want %d", got, pionCalls)
	}
	for i, core := range c.cores {
		if got := metricAt(core, voicemetrics.MetricSessionsStarted); got == 0 {
			t.Errorf("core %d started no session: the load balancer did not spread POSTs", i)
		}
	}
	if got := c.sum(voicemetrics.MetricHTTPForwarded); got == 0 {
		t.Error("no request was forwarded: round-robin never sent a session's request to the other core")
	}

	b := startBrowser(t)
	const browserCalls = 2
	for i := range browserCalls {
		if _, err := b.open(c.lb, whipToken, false); err != nil { // greeting seen over the (maybe forwarded) events WebSocket
			t.Fatalf("chromium call %d: %v", i+1, err)
		}
		ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		_, err := chromedp.Run(ctx, chromedp.Evaluate[any](`voicewatchCall.restartIce().then(() => true)`))
		cancel()
		if err != nil {
			t.Fatalf("chromium call %d: restart: %v", i+1, err)
		}
		if st := waitCallState(b, 10*time.Second, "connected"); st == "" || pageText(b, "restarts") != "1" {
			t.Fatalf("chromium call %d: after the ICE restart the page shows %q with %s restarts", i+1, pageText(b, "call-state"), pageText(b, "restarts"))
		}
		if err := b.hangup(); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 10*time.Second, "browser sessions ended completed", func() bool {
		return c.sum(voicemetrics.MetricSessionsEnded, `outcome="completed"`) == pionCalls+browserCalls
	})
	if got := c.sum(voicemetrics.MetricICERestarts, `result="succeeded"`); got != pionCalls+browserCalls {
		t.Errorf("ICE restarts succeeded = %v, want %d", got, pionCalls+browserCalls)
	}
	t.Logf("forwarded requests: %v (core a %v, core b %v)", c.sum(voicemetrics.MetricHTTPForwarded),
		metricAt(c.cores[0], voicemetrics.MetricHTTPForwarded), metricAt(c.cores[1], voicemetrics.MetricHTTPForwarded))
}
