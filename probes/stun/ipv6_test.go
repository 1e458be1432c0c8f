package stun

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pion/turn/v5"
)

// TestIPv6Literal probes stun:[::1]:PORT over UDP and TCP against a real
// STUN server (pion/turn answers Binding requests) listening on the IPv6
// loopback. Machines without ::1 skip it: there is no IPv6 path to test.
func TestIPv6Literal(t *testing.T) {
	udp, err := net.ListenPacket("udp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback on this machine (%v): IPv6 STUN targets cannot be tested here", err)
	}
	port := udp.LocalAddr().(*net.UDPAddr).Port
	tcp, err := net.Listen("tcp6", "[::1]:"+strconv.Itoa(port))
	if err != nil {
		_ = udp.Close()
		t.Skipf("tcp6 [::1]:%d: %v", port, err)
	}
	srv, err := turn.NewServer(turn.ServerConfig{
		Realm:             "voicewatch.test",
		AuthHandler:       func(*turn.RequestAttributes) (string, []byte, bool) { return "", nil, false },
		PacketConnConfigs: []turn.PacketConnConfig{{PacketConn: udp, RelayAddressGenerator: &turn.RelayAddressGeneratorNone{Address: "::1"}}},
		ListenerConfigs:   []turn.ListenerConfig{{Listener: tcp, RelayAddressGenerator: &turn.RelayAddressGeneratorNone{Address: "::1"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	target := "stun:[::1]:" + strconv.Itoa(port)
	r := run(t, Config{Target: target, Transports: []string{"udp", "tcp"}}, 3*time.Second)
	if !r.Success {
		t.Fatalf("%s: %+v (details %v)", target, r.Failure, r.Details)
	}
	for _, proto := range []string{"udp", "tcp"} {
		if got := r.Details[proto+"_mapped_address"]; !strings.HasPrefix(got, "[::1]:") {
			t.Errorf("%s mapped address = %q, want [::1]:port", proto, got)
		}
	}
}
