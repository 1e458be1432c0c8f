package voice

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/voicewatch/voicewatch/internal/servetest"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

// startClusterMember starts a media core that advertises its own URL and
// keeps its records in the shared store directory dir.
func startClusterMember(t *testing.T, dir string) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := loopbackConfig(t)
	cfg.Store.Dir = dir
	cfg.Cluster.AdvertiseURL = "http://" + ln.Addr().String()
	cfg.Cluster.ForwardWait = 500 * time.Millisecond
	logs := &voicetest.LogBuffer{}
	reg := prometheus.NewRegistry()
	s, err := New(cfg, WithLogger(slog.New(slog.NewJSONHandler(logs, nil))), WithRegistry(reg))
	if err != nil {
		t.Fatal(err)
	}
	srv := servetest.Serve(t, ln, func(ctx context.Context, ln net.Listener) error { return s.Serve(ctx, ln, nil) })
	t.Cleanup(func() { srv.Check(t, "Serve") })
	return &testServer{Server: s, base: cfg.Cluster.AdvertiseURL, logs: logs, reg: reg}
}

// TestClusterForwardsToOwner: a session made on one media core is
// trickled, restarted and hung up through the other.
func TestClusterForwardsToOwner(t *testing.T) {
	dir := t.TempDir()
	a, b := startClusterMember(t, dir), startClusterMember(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := voicetest.NewCaller(t, a.base, voicetest.CallerOptions{})
	resp, err := c.Call(ctx)
	if err != nil {
		t.Fatal(err)
	}
	voicetest.WaitFor(t, "connected", c.Connected(), 10*time.Second)
	answer := c.PC.RemoteDescription().SDP
	c = retarget(c, b.base) // every later request goes to the other core

	local := c.PC.LocalDescription().SDP
	frag := "a=ice-ufrag:" + ufragRE.FindStringSubmatch(local)[1] + "\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\n" + candRE.FindString(local) + "\r\n"
	req, _ := http.NewRequestWithContext(ctx, http.MethodPatch, c.SessionURL(), strings.NewReader(frag))
	req.Header.Set("Content-Type", mimeSDPFrag)
	req.Header.Set("If-Match", resp.Header.Get("ETag"))
	tr, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	tr.Body.Close()
	if tr.StatusCode != http.StatusNoContent {
		t.Fatalf("trickle through the other core: %d", tr.StatusCode)
	}
	// The event WebSocket, opened by a page served from the other core
	// (its Origin), reaches the owner's events.
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(c.SessionURL(), "http")+"/events",
		&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {b.base}}})
	if err != nil {
		t.Fatalf("events through the other core: %v", err)
	}
	var ev Event
	if err := wsjson.Read(ctx, ws, &ev); err != nil || ev.Event != EventSessionStarted {
		t.Fatalf("first event through the other core: %+v %v", ev, err)
	}
	_ = ws.CloseNow()
	if code, _, err := restart(ctx, c, answer); err != nil || code != http.StatusOK {
		t.Fatalf("restart through the other core: %d %v", code, err)
	}
	if _, err := c.Speak(ctx, 400*time.Millisecond, 500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	voicetest.WaitFor(t, "echo after the forwarded restart", c.GotAudio(), 5*time.Second)
	if code, err := c.Hangup(ctx); err != nil || code != http.StatusOK {
		t.Fatalf("hang up through the other core: %d %v", code, err)
	}
	voicetest.Eventually(t, 5*time.Second, "session ended on its owner", func() bool { return a.ActiveSessions() == 0 })
	if got := a.metric(t, voicemetrics.MetricSessionsEnded, voicemetrics.LabelOutcome, voicemetrics.OutcomeCompleted); got != 1 {
		t.Errorf("owner: completed sessions = %v", got)
	}
	if got := b.metric(t, voicemetrics.MetricHTTPForwarded); got != 4 {
		t.Errorf("the other core forwarded %v requests, want 4 (trickle, events, restart, hang-up)", got)
	}
	// The session has ended: the directory says so and nothing is forwarded.
	if code, err := c.Hangup(ctx); err != nil || code != http.StatusNotFound {
		t.Errorf("DELETE of an ended session through the other core: %d %v, want 404", code, err)
	}
}

// retarget returns c with its requests sent to base instead.
func retarget(c *voicetest.Caller, base string) *voicetest.Caller {
	c.SetBase(base)
	return c
}
