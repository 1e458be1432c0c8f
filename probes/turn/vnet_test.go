package turn

import (
	"github.com/voicewatch/voicewatch/probes/internal/probetest"

	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/internal/vnettest"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
)

func TestVNet(t *testing.T) {
	tests := []struct {
		name       string
		nat        bool
		drop       int
		password   string
		reply      func([]byte) []byte // nil: pion TURN server
		wantReason probes.Reason
		wantPhase  string
	}{
		{name: "direct", password: vnettest.Password},
		{name: "behind NAT", nat: true, password: vnettest.Password},
		{name: "behind NAT with loss", nat: true, drop: 3, password: vnettest.Password},
		{name: "wrong password", password: "nope", wantReason: probes.ReasonBadCredentials, wantPhase: probemetrics.PhaseTURNAllocate},
		{name: "garbage answers", password: vnettest.Password, reply: func([]byte) []byte { return []byte{0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3} }, wantReason: probes.ReasonProtocol, wantPhase: probemetrics.PhaseTURNAllocate},
		{name: "never answers", password: vnettest.Password, reply: func([]byte) []byte { return nil }, wantReason: probes.ReasonTimeout, wantPhase: probemetrics.PhaseTURNAllocate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := vnettest.New(t, vnettest.Options{NAT: tt.nat})
			addr := w.StartServer(t, "3478", tt.reply)
			w.DropNext(tt.drop)
			p, err := New(Config{Target: "turn:" + addr + "?transport=udp", Username: vnettest.User, Password: tt.password, RTO: 20 * time.Millisecond}, WithNet(w.Client))
			if err != nil {
				t.Fatal(err)
			}
			r := probetest.Run(t, p, time.Second)
			if !probetest.Expect(t, r, tt.wantReason, tt.wantPhase) {
				return
			}
			wantPeer := "1.2.3.10:"
			if tt.nat {
				wantPeer = vnettest.NATIP + ":"
			}
			if !strings.HasPrefix(r.Details["peer_address"], wantPeer) {
				t.Errorf("peer address %q, want prefix %q (the server-reflexive address)", r.Details["peer_address"], wantPeer)
			}
		})
	}
}

func TestSecretsNotInErrors(t *testing.T) {
	_, err := New(Config{Target: "turn:user:hunter2@127.0.0.1:3478"})
	if err == nil {
		t.Fatal("URI with credentials accepted")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error leaks the password: %v", err)
	}
}

// The relay echoes measure what the path does, as turnutils_uclient does:
// on a virtual network whose relay drops 15 % of the data it relays and
// that delays what the client receives by 25 ms (each echo passes the
// client's link twice: ≥ 50 ms RTT), the probe reports that loss, an RTT
// above 50 ms, and still succeeds.
func TestEchoesMeasureLossAndRTT(t *testing.T) {
	w := vnettest.New(t, vnettest.Options{RelayLossPercent: 15, Delay: 25 * time.Millisecond})
	addr := w.StartTURN(t, "3478")
	p, err := New(Config{Target: "turn:" + addr + "?transport=udp", Username: vnettest.User, Password: vnettest.Password,
		RTO: 100 * time.Millisecond, EchoCount: 100, EchoInterval: 2 * time.Millisecond, EchoWait: 500 * time.Millisecond}, WithNet(w.Client))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	r := p.Probe(ctx)
	if !r.Success || r.Media == nil {
		t.Fatalf("failed: %+v %v", r.Failure, r.Details)
	}
	m := r.Media
	t.Logf("details %v", r.Details)
	// 100 echoes at 15 %: the binomial's standard deviation is 3.6 points.
	if m.Sent != 100 || m.Loss < 0.04 || m.Loss > 0.30 {
		t.Errorf("sent %d, loss %.2f; want 100 sent, loss in [0.04, 0.30]", m.Sent, m.Loss)
	}
	if m.RTTMin < 50*time.Millisecond || m.RTT < m.RTTMin || m.RTTP95 < m.RTTMin {
		t.Errorf("rtt mean %v min %v p95 %v; want min ≥ 50ms, mean and p95 ≥ min", m.RTT, m.RTTMin, m.RTTP95)
	}
	reg, err := probes.MetricsRegistry(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{probemetrics.MetricProbeRTT, probemetrics.MetricProbeJitter, probemetrics.MetricProbePacketLoss} {
		if n := testutil.CollectAndCount(reg, name); n != 1 {
			t.Errorf("%s: %d series, want 1", name, n)
		}
	}
}

func TestEchoStats(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	q := echoStats([]time.Duration{ms(10), 0, ms(14), ms(12), 0}, []bool{true, false, true, true, false})
	if q.Sent != 5 || q.Received != 3 || q.Loss != 0.4 {
		t.Errorf("sent/received/loss = %d/%d/%v, want 5/3/0.4", q.Sent, q.Received, q.Loss)
	}
	if q.RTT != ms(12) || q.RTTMin != ms(10) || q.RTTP95 != ms(14) || q.Jitter != ms(3) {
		t.Errorf("rtt %v min %v p95 %v jitter %v; want 12ms 10ms 14ms 3ms (|14−10| and |12−14| averaged)", q.RTT, q.RTTMin, q.RTTP95, q.Jitter)
	}
	if none := echoStats(make([]time.Duration, 3), make([]bool, 3)); none.Loss != 1 || none.Received != 0 {
		t.Errorf("all lost: %+v", none)
	}
}
