package stun

import (
	"net"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/internal/coturntest"
	"github.com/voicewatch/voicewatch/probes/internal/probebench"
)

// BenchmarkSTUNvsRaw compares one STUN probe (UDP only) with the raw
// baseline: one Binding request/response on a fresh UDP socket
// (coturntest.Binding), against the same coturn in the same run.
func BenchmarkSTUNvsRaw(b *testing.B) {
	s := coturntest.Start(b, coturntest.Options{})
	b.Run("raw_udp_binding", func(b *testing.B) {
		for b.Loop() {
			if err := coturntest.Binding(s.Addr, time.Second); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("probe_udp", func(b *testing.B) {
		p, err := New(Config{Target: s.STUNURI(), Transports: []string{"udp"}})
		if err != nil {
			b.Fatal(err)
		}
		probebench.Sequential(b, p, time.Second, nil)
	})
	b.Run("probe_udp_tcp", func(b *testing.B) {
		p, err := New(Config{Target: s.STUNURI()})
		if err != nil {
			b.Fatal(err)
		}
		probebench.Sequential(b, p, time.Second, nil)
	})
}

// BenchmarkSTUNConcurrent runs batches of 1, 10 and 100 concurrent UDP
// probes against coturn and reports probes per second.
func BenchmarkSTUNConcurrent(b *testing.B) {
	s := coturntest.Start(b, coturntest.Options{})
	p, err := New(Config{Target: s.STUNURI(), Transports: []string{"udp"}})
	if err != nil {
		b.Fatal(err)
	}
	probebench.Concurrent(b, p, 5*time.Second)
}

// BenchmarkTimeoutOvershoot measures how far past its timeout a UDP probe
// of a silent server (a socket that never answers) returns.
func BenchmarkTimeoutOvershoot(b *testing.B) {
	silent, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = silent.Close() }()
	p, err := New(Config{Target: "stun:" + silent.LocalAddr().String(), Transports: []string{"udp"}})
	if err != nil {
		b.Fatal(err)
	}
	probebench.TimeoutOvershoot(b, p, 50*time.Millisecond)
}
