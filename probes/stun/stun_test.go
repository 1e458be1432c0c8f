package stun

import (
	"github.com/voicewatch/voicewatch/probes/internal/probetest"

	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/internal/coturntest"
	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/internal/vnettest"
)

func run(t *testing.T, cfg Config, timeout time.Duration, opts ...Option) probes.Result {
	t.Helper()
	p, err := New(cfg, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return probetest.Run(t, p, timeout)
}

func TestCoturn(t *testing.T) {
	s := coturntest.Start(t, coturntest.Options{})
	closed := "stun:127.0.0.1:" + strconv.Itoa(coturntest.FreePort(t))
	tests := []struct {
		name       string
		cfg        Config
		wantReason probes.Reason
		wantPhase  string
	}{
		{name: "udp and tcp", cfg: Config{Target: s.STUNURI()}},
		{name: "udp only", cfg: Config{Target: s.STUNURI(), Transports: []string{"udp"}}},
		{name: "closed port udp", cfg: Config{Target: closed, Transports: []string{"udp"}}, wantReason: probes.ReasonUnreachable, wantPhase: "binding_udp"},
		{name: "closed port tcp", cfg: Config{Target: closed, Transports: []string{"tcp"}}, wantReason: probes.ReasonUnreachable, wantPhase: "binding_tcp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.cfg, 2*time.Second)
			if !probetest.Expect(t, r, tt.wantReason, tt.wantPhase) {
				return
			}
			for _, tr := range Phases(tt.cfg.Transports...) {
				if _, ok := r.Phases.Get(tr); !ok {
					t.Errorf("phase %s missing: %v", tr, r.Phases)
				}
				proto := strings.TrimPrefix(tr, "binding_")
				if got := r.Details[proto+"_mapped_address"]; !strings.HasPrefix(got, "127.0.0.1:") {
					t.Errorf("%s mapped address = %q", proto, got)
				}
				if !strings.Contains(r.Details[proto+"_server_software"], "Coturn") {
					t.Errorf("%s software = %q", proto, r.Details[proto+"_server_software"])
				}
			}
		})
	}
}

func TestVNet(t *testing.T) {
	tests := []struct {
		name       string
		nat        bool
		drop       int
		reply      func([]byte) []byte // nil: pion TURN server
		wantReason probes.Reason
		wantRtx    string
		wantMapped string
	}{
		{name: "direct", wantMapped: "1.2.3.10:", wantRtx: "0"},
		{name: "behind NAT", nat: true, wantMapped: vnettest.NATIP + ":", wantRtx: "0"},
		{name: "two requests lost", nat: true, drop: 2, wantMapped: vnettest.NATIP + ":", wantRtx: "2"},
		{name: "server answers garbage", reply: func([]byte) []byte { return []byte("HTTP/1.1 400 Bad Request\r\n\r\n") }, wantReason: probes.ReasonProtocol},
		{name: "server never answers", reply: func([]byte) []byte { return nil }, wantReason: probes.ReasonTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := vnettest.New(t, vnettest.Options{NAT: tt.nat})
			addr := w.StartServer(t, "3478", tt.reply)
			w.DropNext(tt.drop)
			cfg := Config{Target: "stun:" + addr, Transports: []string{"udp"}, RTO: 20 * time.Millisecond}
			r := run(t, cfg, time.Second, WithNet(w.Client))
			if !probetest.Expect(t, r, tt.wantReason, "") {
				return
			}
			if got := r.Details["udp_mapped_address"]; !strings.HasPrefix(got, tt.wantMapped) {
				t.Errorf("mapped = %q, want prefix %q", got, tt.wantMapped)
			}
			if got := r.Details["udp_retransmissions"]; got != tt.wantRtx {
				t.Errorf("retransmissions = %s, want %s", got, tt.wantRtx)
			}
		})
	}
}

// TestRetransmitScheduleBoundedByTimeout: with the RFC default RTO the
// full schedule lasts 39.5 s; the probe must stop at its own timeout.
func TestRetransmitScheduleBoundedByTimeout(t *testing.T) {
	w := vnettest.New(t, vnettest.Options{})
	addr := w.StartResponder(t, "3478", func([]byte) []byte { return nil })
	timeout := 300 * time.Millisecond
	r := run(t, Config{Target: "stun:" + addr, Transports: []string{"udp"}}, timeout, WithNet(w.Client))
	if r.Success || r.Failure.Reason != probes.ReasonTimeout {
		t.Fatalf("want timeout, got %+v", r.Failure)
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"turn uri", Config{Target: "turn:127.0.0.1:3478"}},
		{"bad transport", Config{Target: "stun:127.0.0.1", Transports: []string{"sctp"}}},
		{"not a uri", Config{Target: "127.0.0.1:3478"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.cfg); err == nil {
				t.Fatal("New accepted it")
			}
		})
	}
}
