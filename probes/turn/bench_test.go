package turn

import (
	"net"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/internal/coturntest"
	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/internal/probebench"
)

// benchEchoes keeps the benchmarks' relay work what it was before the
// probe sent a stream of echoes: 3, back to back. The default probe (20
// echoes 20 ms apart, like a call's packet rate) is BenchmarkTURNProbe/udp-default.
const benchEchoes = 3

// BenchmarkTURNProbe is one full TURN probe over UDP against coturn:
// allocate (with the 401 challenge), peer binding, permission, 3 echoes
// through the relay, refresh, deallocate. Compare with
// testdata/bench-uclient.sh (coturn's own turnutils_uclient).
func BenchmarkTURNProbe(b *testing.B) {
	s := coturntest.Start(b, coturntest.Options{AllowLoopbackPeers: true, RelayPorts: 5000})
	for _, tr := range []string{"udp", "tcp", "udp-default"} {
		b.Run(tr, func(b *testing.B) {
			cfg := Config{Target: s.TURNURI(tr), Username: coturntest.DefaultUser, Password: coturntest.DefaultPassword,
				EchoCount: benchEchoes, EchoInterval: time.Microsecond}
			if tr == "udp-default" {
				cfg = Config{Target: s.TURNURI("udp"), Username: coturntest.DefaultUser, Password: coturntest.DefaultPassword}
			}
			p, err := New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			var rtt time.Duration
			probebench.Sequential(b, p, 2*time.Second, func(r probes.Result) {
				d, _ := time.ParseDuration(r.Details["relay_rtt"])
				rtt += d
			})
			b.ReportMetric(float64(rtt.Microseconds())/float64(b.N), "relay_rtt_µs")
		})
	}
}

// BenchmarkTURNConcurrent runs batches of 1, 10 and 100 concurrent UDP
// TURN probes and reports probes per second.
func BenchmarkTURNConcurrent(b *testing.B) {
	s := coturntest.Start(b, coturntest.Options{AllowLoopbackPeers: true, RelayPorts: 5000})
	p, err := New(Config{Target: s.TURNURI("udp"), Username: coturntest.DefaultUser, Password: coturntest.DefaultPassword,
		EchoCount: benchEchoes, EchoInterval: time.Microsecond})
	if err != nil {
		b.Fatal(err)
	}
	probebench.Concurrent(b, p, 10*time.Second)
}

// BenchmarkTimeoutOvershoot measures how far past its timeout a TURN probe
// of a silent UDP server returns.
func BenchmarkTimeoutOvershoot(b *testing.B) {
	silent, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = silent.Close() }()
	p, err := New(Config{Target: "turn:" + silent.LocalAddr().String() + "?transport=udp", Username: "u", Password: "p"})
	if err != nil {
		b.Fatal(err)
	}
	probebench.TimeoutOvershoot(b, p, 50*time.Millisecond)
}
