package turn

import (
	"github.com/voicewatch/voicewatch/probes/internal/probetest"

	"github.com/voicewatch/voicewatch/probes/probemetrics"

	"net"

	pionturn "github.com/pion/turn/v5"

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
	return probetest.Run(t, p, timeout)
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
			want := []string{probemetrics.PhaseTURNAllocate, probemetrics.PhaseTURNPeerBinding, probemetrics.PhaseTURNPermission,
				probemetrics.PhaseTURNRelayEcho, probemetrics.PhaseTURNRefresh, probemetrics.PhaseTURNDeallocate}
			if r.Details["transport"] == "tcp" {
				want = append([]string{probemetrics.PhaseTURNConnect}, want...)
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
		{"wrong password", Config{Target: forbid.TURNURI("udp"), Username: u, Password: "wrong"}, probemetrics.PhaseTURNAllocate, probes.ReasonBadCredentials},
		{"wrong password tcp", Config{Target: forbid.TURNURI("tcp"), Username: u, Password: "wrong"}, probemetrics.PhaseTURNAllocate, probes.ReasonBadCredentials},
		{"wrong rest secret", Config{Target: forbid.TURNURI("udp"), Secret: "not-the-secret"}, probemetrics.PhaseTURNAllocate, probes.ReasonBadCredentials},
		{"loopback peer forbidden", Config{Target: forbid.TURNURI("udp"), Username: u, Password: pw}, probemetrics.PhaseTURNPermission, probes.ReasonForbiddenPeer},
		{"closed udp port", Config{Target: closed, Username: u, Password: pw}, probemetrics.PhaseTURNAllocate, probes.ReasonUnreachable},
		{"closed tcp port", Config{Target: closedTCP, Username: u, Password: pw}, probemetrics.PhaseTURNConnect, probes.ReasonUnreachable},
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

// TestCoturnAllocationQuota: when the user already holds as many
// allocations as coturn's user-quota allows, Allocate gets 486 and the probe
// says allocation_quota (not bad credentials or a timeout).
func TestCoturnAllocationQuota(t *testing.T) {
	ct := coturntest.Start(t, coturntest.Options{UserQuota: 1, AllowLoopbackPeers: true})
	u, pw := coturntest.DefaultUser, coturntest.DefaultPassword
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close() // the client's read loop ends with it
	holder, err := pionturn.NewClient(&pionturn.ClientConfig{STUNServerAddr: ct.Addr, TURNServerAddr: ct.Addr,
		Conn: conn, Username: u, Password: pw, Realm: ct.Realm})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if err := holder.Listen(); err != nil {
		t.Fatal(err)
	}
	relay, err := holder.Allocate() // the user's one allowed allocation
	if err != nil {
		t.Fatal(err)
	}
	defer relay.Close()

	r := probeOnce(t, Config{Target: ct.TURNURI("udp"), Username: u, Password: pw}, 3*time.Second)
	if r.Success || r.Failure == nil {
		t.Fatal("probe succeeded past the user quota")
	}
	if r.Failure.Reason != probes.ReasonAllocationQuota || r.Failure.Phase != probemetrics.PhaseTURNAllocate {
		t.Fatalf("failure = %s in %s (%v), want allocation_quota in allocate", r.Failure.Reason, r.Failure.Phase, r.Failure.Err)
	}
}
