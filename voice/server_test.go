package voice

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if os.Getenv(envLoadServer) == "1" {
		os.Exit(loadServerMain())
	}
	goleak.VerifyTestMain(m)
}

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// events returns the decoded JSON log lines.
func (s *syncBuffer) events() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(s.b.Bytes()))
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

func (s *syncBuffer) find(event string, match map[string]any) []map[string]any {
	var out []map[string]any
next:
	for _, e := range s.events() {
		if e["event"] != event {
			continue
		}
		for k, v := range match {
			if e[k] != v {
				continue next
			}
		}
		out = append(out, e)
	}
	return out
}

type testServer struct {
	*Server
	base string
	logs *syncBuffer
	reg  *prometheus.Registry
	stop func()
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
	logs := &syncBuffer{}
	reg := prometheus.NewRegistry()
	opts = append([]Option{
		WithLogger(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		WithRegistry(reg),
	}, opts...)
	s, err := New(cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, nil) }()
	ts := &testServer{Server: s, base: "http://" + ln.Addr().String(), logs: logs, reg: reg}
	var once sync.Once
	ts.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Serve: %v", err)
			}
		})
	}
	t.Cleanup(ts.stop)
	return ts
}

// metric returns the value of the series of name whose labels include
// labels (pairs), summing matches; histograms count observations.
func (ts *testServer) metric(t testing.TB, name string, labels ...string) float64 {
	t.Helper()
	return gatherValue(t, ts.reg, name, labels...)
}

func gatherValue(t testing.TB, g prometheus.Gatherer, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metric:
		for _, m := range mf.Metric {
			for i := 0; i+1 < len(labels); i += 2 {
				if labelValue(m, labels[i]) != labels[i+1] {
					continue metric
				}
			}
			switch {
			case m.Counter != nil:
				sum += m.Counter.GetValue()
			case m.Gauge != nil:
				sum += m.Gauge.GetValue()
			case m.Histogram != nil:
				sum += float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return sum
}

func labelValue(m *dto.Metric, name string) string {
	for _, l := range m.Label {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// eventually polls cond until it holds or d passes.
func eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestEchoCall(t *testing.T) {
	for _, codec := range []Codec{CodecPCMU, CodecOpus} {
		t.Run(string(codec), func(t *testing.T) {
			ts := startServer(t, loopbackConfig(t))
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			c := newTestCaller(t, ts.base, callerOpts{codec: codec})
			resp, err := c.call(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(c.location, "/whip/") || resp.Header.Get("Content-Type") != "application/sdp" {
				t.Fatalf("201 without Location/Content-Type: %v", resp.Header)
			}
			waitFor(t, "connected", c.connected, 10*time.Second)
			if err := c.speak(ctx, 600*time.Millisecond, 800*time.Millisecond); err != nil {
				t.Fatal(err)
			}
			if testing.Verbose() {
				defer func() {
					for _, e := range ts.logs.events() {
						t.Log(e)
					}
					t.Log("rtp in", ts.metric(t, MetricRTPPackets, LabelDirection, "in"))
				}()
			}
			waitFor(t, "echo audio", c.gotAudio, 5*time.Second)
			// The whole 600 ms utterance (30 packets) comes back.
			eventually(t, 5*time.Second, "30 echoed packets", func() bool { return c.received.Load() >= 30 })
			if code, err := c.hangup(ctx); err != nil || code != 200 {
				t.Fatalf("DELETE: %d %v", code, err)
			}
			eventually(t, 5*time.Second, "session end", func() bool { return ts.ActiveSessions() == 0 })
			eventually(t, 5*time.Second, "the ended record written", func() bool {
				return ts.metric(t, MetricStoreWrites, LabelResult, StoreOK) == 3
			})

			checks := []struct {
				name   string
				labels []string
				want   float64
			}{
				{MetricSessionsStarted, nil, 1},
				{MetricSessionsEnded, []string{LabelOutcome, OutcomeCompleted}, 1},
				{MetricSessionsActive, nil, 0},
				{MetricConnections, []string{LabelResult, ConnectionConnected}, 1},
				{MetricICESelectedPairs, []string{LabelLocalType, "host", LabelRemoteType, "host", LabelProtocol, "udp"}, 1},
				{MetricConnectionSetup, nil, 1},
				{MetricICEGatheringDuration, nil, 1},
				{MetricResponseLatency, nil, 1},
				{MetricStoreWrites, []string{LabelResult, StoreOK}, 3},
				{MetricHTTPRequests, []string{LabelRoute, "POST /whip", LabelCode, "201"}, 1},
				{MetricHTTPRequests, []string{LabelRoute, "DELETE /whip/{id}", LabelCode, "200"}, 1},
			}
			for _, ch := range checks {
				if got := ts.metric(t, ch.name, ch.labels...); got != ch.want {
					t.Errorf("%s%v = %v, want %v", ch.name, ch.labels, got, ch.want)
				}
			}
			if in := ts.metric(t, MetricRTPPackets, LabelDirection, "in"); in < 60 {
				t.Errorf("rtp in = %v, want ≥ 60 (1.4 s of audio)", in)
			}
			if out := ts.metric(t, MetricRTPPackets, LabelDirection, "out"); out < 30 {
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
				{EventSessionEnded, map[string]any{"outcome": OutcomeCompleted, "reason": endHangup}},
			} {
				if got := ts.logs.find(ev.name, ev.match); len(got) != 1 {
					t.Errorf("log event %s %v: %d lines, want 1", ev.name, ev.match, len(got))
				}
			}
			for _, e := range ts.logs.events() {
				if e["level"] == "ERROR" {
					t.Errorf("error-level log: %v", e)
				}
			}
		})
	}
}
