package voice

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/voice/voicemetrics"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

// TestSessionsPerClientCap: one client cannot take every session slot.
func TestSessionsPerClientCap(t *testing.T) {
	cfg := loopbackConfig(t)
	cfg.MaxSessionsPerClient = 2
	cfg.HTTP.TrustedProxies = []string{"127.0.0.1/32"}
	ts := startServer(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := range 2 {
		c := voicetest.NewCaller(t, ts.base, voicetest.CallerOptions{})
		if _, err := c.Call(ctx); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	c := voicetest.NewCaller(t, ts.base, voicetest.CallerOptions{})
	resp, err := c.Call(ctx)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("3rd call from one client: %v %v, want 503 with Retry-After", resp, err)
	}
	if got := ts.metric(t, voicemetrics.MetricSessionsEnded, voicemetrics.LabelOutcome, voicemetrics.OutcomeRejected); got != 1 {
		t.Errorf("rejected = %v, want 1", got)
	}
	if got := ts.logs.Find(EventSessionEnded, map[string]any{"outcome": "rejected", "reason": voicemetrics.RejectClientSessionCap}); len(got) != 1 {
		t.Errorf("session.ended rejected events: %v", ts.logs.Find(EventSessionEnded, nil))
	}
	if got := ts.metric(t, voicemetrics.MetricSessionsRejected, voicemetrics.LabelReason, voicemetrics.RejectClientSessionCap); got != 1 {
		t.Errorf("%s{reason=%q} = %v, want 1", voicemetrics.MetricSessionsRejected, voicemetrics.RejectClientSessionCap, got)
	}
	// Another client (behind the trusted proxy) still gets in.
	other := voicetest.NewCaller(t, ts.base, voicetest.CallerOptions{Header: map[string]string{"X-Forwarded-For": "203.0.113.9"}})
	if _, err := other.Call(ctx); err != nil {
		t.Fatalf("another client: %v", err)
	}
}

// TestNoMediaPortIs503: with the UDP port range used up, a call is refused
// with 503 and Retry-After, counted as rejected, not a 201 that can never
// connect.
func TestNoMediaPortIs503(t *testing.T) {
	busy, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := uint16(busy.LocalAddr().(*net.UDPAddr).Port)
	cfg := loopbackConfig(t)
	cfg.ICE.UDPPortMin, cfg.ICE.UDPPortMax = port, port
	cfg.MaxSessions = 1
	cfg.ICE.GatheringTimeout = 3 * time.Second
	ts := startServer(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := voicetest.NewCaller(t, ts.base, voicetest.CallerOptions{})
	resp, err := c.Call(ctx)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("call with no free media port: %v %v, want 503 with Retry-After", resp, err)
	}
	voicetest.Eventually(t, 5*time.Second, "no session left", func() bool { return ts.ActiveSessions() == 0 })
	if got := ts.metric(t, voicemetrics.MetricSessionsEnded, voicemetrics.LabelOutcome, voicemetrics.OutcomeRejected); got != 1 {
		t.Errorf("rejected = %v, want 1", got)
	}
	if got := ts.metric(t, voicemetrics.MetricSessionsEnded, voicemetrics.LabelOutcome, voicemetrics.OutcomeFailed); got != 0 {
		t.Errorf("failed = %v, want 0", got)
	}
	if got := ts.logs.Find(EventSessionEnded, map[string]any{"outcome": "rejected", "reason": voicemetrics.RejectNoMediaPort, "level": "WARN"}); len(got) != 1 {
		t.Errorf("session.ended: %v", ts.logs.Find(EventSessionEnded, nil))
	}
	if got := ts.metric(t, voicemetrics.MetricSessionsRejected, voicemetrics.LabelReason, voicemetrics.RejectNoMediaPort); got != 1 {
		t.Errorf("%s{reason=%q} = %v, want 1", voicemetrics.MetricSessionsRejected, voicemetrics.RejectNoMediaPort, got)
	}
}

// TestTranscriptsStayOutOfInfoLogs: what callers say is not logged at the
// default level (the test page still gets it over the event socket).
func TestTranscriptsStayOutOfInfoLogs(t *testing.T) {
	logs := &voicetest.LogBuffer{}
	ts := startServer(t, loopbackConfig(t), WithLogger(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))))
	ctx, c := ts.call(t, 20*time.Second)
	voicetest.WaitFor(t, "connected", c.Connected(), 10*time.Second)
	if _, err := c.Speak(ctx, 600*time.Millisecond, 800*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	voicetest.WaitFor(t, "echo audio", c.GotAudio(), 5*time.Second)
	sess, ok := ts.lookup(strings.TrimPrefix(c.Location, "/whip/"))
	if !ok {
		t.Fatal("no session")
	}
	past, _, unsub, _ := sess.events.subscribe()
	unsub()
	seen := false
	for _, ev := range past {
		seen = seen || ev.Event == EventTranscript
	}
	if !seen {
		t.Fatal("the transcript event never happened (nothing to check)")
	}
	_, _ = c.Hangup(ctx)
	for _, name := range []string{EventTranscript, EventReply} {
		if got := logs.Find(name, nil); len(got) != 0 {
			t.Errorf("%s logged at INFO: %v", name, got)
		}
	}
}

// TestStoreRetention: the file store forgets records older than
// store.retention.
func TestStoreRetention(t *testing.T) {
	cfg := loopbackConfig(t)
	cfg.Store.Retention = time.Hour
	old := filepath.Join(cfg.Store.Dir, "0123456789abcdef0123456789abcdef.json")
	recent := filepath.Join(cfg.Store.Dir, "fedcba9876543210fedcba9876543210.json")
	for _, p := range []string{old, recent} {
		if err := os.WriteFile(p, []byte(`{"id":"x","version":1}`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	startServer(t, cfg)
	voicetest.Eventually(t, 10*time.Second, "the old record deleted", func() bool {
		_, err := os.Stat(old)
		return os.IsNotExist(err)
	})
	if _, err := os.Stat(recent); err != nil {
		t.Errorf("the recent record: %v", err)
	}
}
