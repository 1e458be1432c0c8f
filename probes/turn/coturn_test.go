package turn

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/internal/coturntest"
	"github.com/voicewatch/voicewatch/probes"
)

func probeOnce(t *testing.T, cfg Config, timeout time.Duration) probes.Result {
	t.Helper()
	p, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	start := time.Now()
	r := p.Probe(ctx)
	// Generous bound on "a probe never outlives its timeout".
	if el := time.Since(start); el > timeout+500*time.Millisecond {
		t.Errorf("probe took %s with a %s timeout", el, timeout)
	}
	return r
}

func TestCoturnAllocateEcho(t *testing.T) {
	lt := coturntest.Start(t, coturntest.Options{AllowLoopbackPeers: true})
	rest := coturntest.Start(t, coturntest.Options{AllowLoopbackPeers: true, Secret: "rest-shared-secret"})
	tests := []struct {
		name string
		cfg  Config
	}{
		{"udp long-term", Config{Target: lt.TURNURI("udp"), Username: coturntest.DefaultUser, Password: coturntest.DefaultPassword}},
		{"tcp long-term", Config{Target: lt.TURNURI("tcp"), Username: coturntest.DefaultUser, Password: coturntest.DefaultPassword}},
		{"udp rest", Config{Target: rest.TURNURI("udp"), Secret: rest.Secret}},
		{"tcp rest", Config{Target: rest.TURNURI("tcp"), Secret: rest.Secret}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := probeOnce(t, tt.cfg, 5*time.Second)
			if !r.Success {
				t.Fatalf("probe failed: %+v", r.Failure)
			}
			want := []string{"allocate", "peer_binding", "permission", "relay_echo", "refresh", "deallocate"}
			if r.Details["transport"] == "tcp" {
				want = append([]string{"connect"}, want...)
			}
			if len(r.Phases) != len(want) {
				t.Fatalf("phases %v, want %v", r.Phases, want)
			}
			for i, ph := range r.Phases {
				if ph.Name != want[i] {
					t.Fatalf("phase %d = %s, want %s", i, ph.Name, want[i])
				}
			}
			if r.Details["relay_address"] == "" || r.Details["relay_rtt"] == "" {
				t.Fatalf("details missing relay: %v", r.Details)
			}
		})
	}
}

func TestCoturnFailures(t *testing.T) {
	forbid := coturntest.Start(t, coturntest.Options{}) // no --allow-loopback-peers
	closed := "turn:127.0.0.1:" + strconv.Itoa(coturntest.FreePort(t)) + "?transport=udp"
	closedTCP := "turn:127.0.0.1:" + strconv.Itoa(coturntest.FreePort(t)) + "?transport=tcp"
	u, pw := coturntest.DefaultUser, coturntest.DefaultPassword

	tests := []struct {
		name   string
		cfg    Config
		phase  string
		reason probes.Reason
	}{
		{"wrong password", Config{Target: forbid.TURNURI("udp"), Username: u, Password: "wrong"}, "allocate", probes.ReasonBadCredentials},
		{"wrong password tcp", Config{Target: forbid.TURNURI("tcp"), Username: u, Password: "wrong"}, "allocate", probes.ReasonBadCredentials},
		{"wrong rest secret", Config{Target: forbid.TURNURI("udp"), Secret: "not-the-secret"}, "allocate", probes.ReasonBadCredentials},
		{"loopback peer forbidden", Config{Target: forbid.TURNURI("udp"), Username: u, Password: pw}, "permission", probes.ReasonForbiddenPeer},
		{"closed udp port", Config{Target: closed, Username: u, Password: pw}, "allocate", probes.ReasonUnreachable},
		{"closed tcp port", Config{Target: closedTCP, Username: u, Password: pw}, "connect", probes.ReasonUnreachable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := probeOnce(t, tt.cfg, 3*time.Second)
			if r.Success || r.Failure == nil {
				t.Fatalf("probe succeeded, want %s", tt.reason)
			}
			if r.Failure.Reason != tt.reason || r.Failure.Phase != tt.phase {
				t.Fatalf("failure = %s in %s (%v), want %s in %s", r.Failure.Reason, r.Failure.Phase, r.Failure.Err, tt.reason, tt.phase)
			}
		})
	}
}
