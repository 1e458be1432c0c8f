package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/probes"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// fixedResults cover a pass, a network failure and an assertion failure,
// with characters every format must escape.
func fixedResults() []probes.Result {
	return []probes.Result{
		{Probe: "call-relay-only", Kind: "webrtc", Target: "https://voice.example.com/whip", Success: true,
			Duration: 180 * time.Millisecond,
			Phases:   probes.Phases{{Name: "signaling", Duration: 30 * time.Millisecond}, {Name: "connected", Duration: 120 * time.Millisecond}},
			Details:  map[string]string{probes.DetailLocalCandidate: "relay", probes.DetailRemoteCandidate: "host"}},
		{Probe: "stun-primary", Kind: "stun", Target: "stun:stun.example.com:3478", Success: true,
			Duration: 12345 * time.Microsecond,
			Phases:   probes.Phases{{Name: "binding_udp", Duration: 812 * time.Microsecond}, {Name: "binding_tcp", Duration: 2 * time.Millisecond}},
			Details:  map[string]string{"udp_mapped_address": "203.0.113.7:40000", "udp_retransmissions": "0"}},
		{Probe: "turn-udp", Kind: "turn", Target: "turn:turn.example.com:3478?transport=udp", Success: false,
			Duration: 3 * time.Second,
			Phases:   probes.Phases{{Name: "allocate", Duration: 3 * time.Second}},
			Failure:  &probes.Failure{Phase: "allocate", Reason: probes.ReasonTimeout, Err: errors.New("allocate: all retransmissions failed")}},
		{Probe: "call <staging> | relay", Kind: "webrtc", Target: "https://staging.example.com/whip", Success: false,
			Duration: 1500 * time.Millisecond,
			Phases: probes.Phases{{Name: "signaling", Duration: 40 * time.Millisecond}, {Name: "ice_gathering", Duration: 3200 * time.Millisecond},
				{Name: "ice_connected", Duration: 15 * time.Millisecond}},
			Details: map[string]string{probes.DetailLocalCandidate: "relay", probes.DetailRemoteCandidate: "host"},
			Failure: &probes.Failure{Phase: "ice_gathering", Reason: probes.ReasonAssertion, Err: errors.New(`assertion failed: ice_gathering took 3.2s > max_ice_gathering 3s & "slow"`)}},
	}
}

func TestReportGolden(t *testing.T) {
	ext := map[string]string{"text": "txt", "json": "json", "junit": "xml", "markdown": "md"}
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := writeReport(&buf, format, fixedResults()); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", "report."+ext[format])
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Fatalf("%s report differs from %s (go test -update to accept):\n%s", format, golden, buf.String())
			}
			checkFormat(t, format, buf.String(), "call-relay-only", "stun-primary", "turn-udp", "staging")
			// A relay-only pass must not look like a host pass.
			if !strings.Contains(buf.String(), "relay") {
				t.Errorf("%s report does not show the relay candidate of call-relay-only", format)
			}
		})
	}
}
