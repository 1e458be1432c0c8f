package voice

import (
	"context"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"

	"github.com/voicewatch/voicewatch/internal/servetest"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

func TestMain(m *testing.M) {
	if os.Getenv(envLoadServer) == "1" {
		os.Exit(loadServerMain())
	}
	goleak.VerifyTestMain(m)
}

type testServer struct {
	*Server
	base string
	logs *voicetest.LogBuffer
	reg  *prometheus.Registry
}

func loopbackConfig(t testing.TB) Config {
	cfg := Config{Listen: "127.0.0.1:0"}
	cfg.Auth.InsecureNoAuth = true
	cfg.ICE.IncludeLoopback = true
	cfg.ICE.Interfaces = []string{"lo"}
	cfg.Store.Dir = t.TempDir()
	f := false
	cfg.Audio.Greeting = &f
	cfg.Audio.EndOfSpeech = 300 * time.Millisecond
	return cfg
}

func startServer(t testing.TB, cfg Config, opts ...Option) *testServer {
	t.Helper()
	logs := &voicetest.LogBuffer{}
	reg := prometheus.NewRegistry()
	opts = append([]Option{
		WithLogger(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		WithRegistry(reg),
	}, opts...)
	s, err := New(cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	srv := servetest.Start(t, func(ctx context.Context, ln net.Listener) error { return s.Serve(ctx, ln, nil) })
	t.Cleanup(func() { srv.Check(t, "Serve") })
	return &testServer{Server: s, base: srv.URL(), logs: logs, reg: reg}
}

// metric returns the value of the series of name whose labels include
// labels (pairs), summing matches; histograms count observations.
// call places a call to ts with a pion caller; ctx, which bounds the call,
// ends with the test after d at the latest.
func (ts *testServer) call(t *testing.T, d time.Duration) (context.Context, *voicetest.Caller) {
	t.Helper()
	c := voicetest.NewCaller(t, ts.base, voicetest.CallerOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel) // first of the cleanups, as a deferred cancel would be
	if _, err := c.Call(ctx); err != nil {
		t.Fatal(err)
	}
	return ctx, c
}

func (ts *testServer) metric(t testing.TB, name string, labels ...string) float64 {
	t.Helper()
	return voicetest.Metric(t, ts.reg, name, labels...)
}

// greetingFrame is the loud Opus frame test callers speak: one from a third
// of the way into the greeting prompt.
func greetingFrame() ([]byte, error) {
	p, err := loadPrompt("greeting")
	if err != nil {
		return nil, err
	}
	return p.opus[len(p.opus)/3].Payload, nil
}

func TestEchoCall(t *testing.T) {
	for _, codec := range []Codec{CodecPCMU, CodecOpus} {
		t.Run(string(codec), func(t *testing.T) {
			ts := startServer(t, loopbackConfig(t))
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			c := voicetest.NewCaller(t, ts.base, voicetest.CallerOptions{Codec: string(codec), OpusSpeech: greetingFrame})
			resp, err := c.Call(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(c.Location, "/whip/") || resp.Header.Get("Content-Type") != "application/sdp" {
				t.Fatalf("201 without Location/Content-Type: %v", resp.Header)
			}
			voicetest.WaitFor(t, "connected", c.Connected(), 10*time.Second)
			if _, err := c.Speak(ctx, 600*time.Millisecond, 800*time.Millisecond); err != nil {
				t.Fatal(err)
			}
			if testing.Verbose() {
				defer func() {
					for _, e := range ts.logs.Events() {
						t.Log(e)
					}
					t.Log("rtp in", ts.metric(t, voicemetrics.MetricRTPPackets, voicemetrics.LabelDirection, "in"))
				}()
			}
			voicetest.WaitFor(t, "echo audio", c.GotAudio(), 5*time.Second)
			// The whole 600 ms utterance (30 packets) comes back.
			voicetest.Eventually(t, 5*time.Second, "30 echoed packets", func() bool { return c.Received() >= 30 })
			if code, err := c.Hangup(ctx); err != nil || code != 200 {
				t.Fatalf("DELETE: %d %v", code, err)
			}
			voicetest.Eventually(t, 5*time.Second, "session end", func() bool { return ts.ActiveSessions() == 0 })
			voicetest.Eventually(t, 5*time.Second, "the ended record written", func() bool {
				return ts.metric(t, voicemetrics.MetricStoreWrites, voicemetrics.LabelResult, voicemetrics.StoreOK) == 3
			})

			checks := []struct {
				name   string
				labels []string
				want   float64
			}{
				{voicemetrics.MetricSessionsStarted, nil, 1},
				{voicemetrics.MetricSessionsEnded, []string{voicemetrics.LabelOutcome, voicemetrics.OutcomeCompleted}, 1},
				{voicemetrics.MetricSessionsActive, nil, 0},
				{voicemetrics.MetricConnections, []string{voicemetrics.LabelResult, voicemetrics.ConnectionConnected}, 1},
				{voicemetrics.MetricICESelectedPairs, []string{voicemetrics.LabelLocalType, "host", voicemetrics.LabelRemoteType, "host", voicemetrics.LabelProtocol, "udp"}, 1},
				{voicemetrics.MetricConnectionSetup, nil, 1},
				{voicemetrics.MetricICEGatheringDuration, nil, 1},
				{voicemetrics.MetricResponseLatency, nil, 1},
				{voicemetrics.MetricStoreWrites, []string{voicemetrics.LabelResult, voicemetrics.StoreOK}, 3},
				{voicemetrics.MetricHTTPRequests, []string{voicemetrics.LabelRoute, "POST /whip", voicemetrics.LabelCode, "201"}, 1},
				{voicemetrics.MetricHTTPRequests, []string{voicemetrics.LabelRoute, "DELETE /whip/{id}", voicemetrics.LabelCode, "200"}, 1},
			}
			for _, ch := range checks {
				if got := ts.metric(t, ch.name, ch.labels...); got != ch.want {
					t.Errorf("%s%v = %v, want %v", ch.name, ch.labels, got, ch.want)
				}
			}
			if in := ts.metric(t, voicemetrics.MetricRTPPackets, voicemetrics.LabelDirection, "in"); in < 60 {
				t.Errorf("rtp in = %v, want ≥ 60 (1.4 s of audio)", in)
			}
			if out := ts.metric(t, voicemetrics.MetricRTPPackets, voicemetrics.LabelDirection, "out"); out < 30 {
				t.Errorf("rtp out = %v, want ≥ 30", out)
			}
			for _, ev := range []struct {
				name  string
				match map[string]any
			}{
				{EventSessionStarted, map[string]any{"codec": string(codec)}},
				{EventICEGathering, nil},
				{EventConnectionState, map[string]any{"state": "connected"}},
				{EventTranscript, nil},
				{EventSessionEnded, map[string]any{"outcome": voicemetrics.OutcomeCompleted, "reason": endHangup}},
			} {
				if got := ts.logs.Find(ev.name, ev.match); len(got) != 1 {
					t.Errorf("log event %s %v: %d lines, want 1", ev.name, ev.match, len(got))
				}
			}
			for _, e := range ts.logs.Events() {
				if e["level"] == "ERROR" {
					t.Errorf("error-level log: %v", e)
				}
			}
		})
	}
}
