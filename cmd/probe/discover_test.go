package main

import (
	"context"
	"net"
	"strings"
	"testing"

	vwsecret "github.com/voicewatch/voicewatch/internal/secret"
	"github.com/voicewatch/voicewatch/internal/turnserver"
	"github.com/voicewatch/voicewatch/voice"
)

// startMediaCoreWithTURN runs the media core with a TURN server (TURN REST
// credentials) that it announces in OPTIONS /whip.
func startMediaCoreWithTURN(t *testing.T, token string) (whip string, turnURI string) {
	t.Helper()
	const restSecret = "discovery-rest-secret"
	ts, err := turnserver.Start(turnserver.Config{Listen: "127.0.0.1:0", Secret: restSecret, NoTCP: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ts.Close() })
	turnURI = "turn:" + ts.UDPAddr().String() + "?transport=udp"
	cfg := voice.Config{Listen: "127.0.0.1:0"}
	cfg.Auth.Tokens = []vwsecret.Secret{vwsecret.Secret(token)}
	cfg.ICE.IncludeLoopback = true
	cfg.ICE.Interfaces = []string{"lo"}
	cfg.ICE.Servers = []voice.ICEServer{{URLs: []string{turnURI}, Username: "whip", Secret: restSecret}}
	cfg.Store.Dir = t.TempDir()
	greet := false
	cfg.Audio.Greeting = &greet
	s, err := voice.New(cfg)
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
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("media core: %v", err)
		}
	})
	return "http://" + ln.Addr().String() + "/whip", turnURI
}

// TestWebRTCICEDiscovery: `probe webrtc --relay-only` with no --ice-server
// proves the TURN path with the servers the endpoint announces in OPTIONS
// /whip (RFC 9725 §4.6); with --no-ice-discovery it has no TURN server,
// which is a usage error.
func TestWebRTCICEDiscovery(t *testing.T) {
	const token = "discovery-token"
	whip, turnURI := startMediaCoreWithTURN(t, token)

	out, errOut, code := runProbe(t, "webrtc", whip, "--token", token, "--loopback", "--relay-only", "--format", "json")
	if code != 0 {
		t.Fatalf("with discovery: exit %d\n%s\n%s", code, out, errOut)
	}
	r := decodeResults(t, out)[0]
	if r.Details["local_candidate_type"] != "relay" || r.Details[detailICEDiscovery] != "1 from OPTIONS" || r.Details[detailICEServers] != turnURI {
		t.Errorf("details %v: want a relay candidate from the 1 discovered server %s", r.Details, turnURI)
	}
	if strings.Contains(out+errOut, "whip:") && strings.Contains(out+errOut, "credential") {
		t.Error("the discovered TURN credential is in the output")
	}

	_, errOut, code = runProbe(t, "webrtc", whip, "--token", token, "--loopback", "--relay-only", "--no-ice-discovery")
	if code != 2 || !strings.Contains(errOut, "relay_only needs a turn: or turns: ICE server") {
		t.Fatalf("without discovery: exit %d, want 2 (relay-only and no TURN server)\n%s", code, errOut)
	}

	// A wrong token: nothing is announced, and the call itself says why.
	out, _, _ = runProbe(t, "webrtc", whip, "--token", "nope", "--loopback", "--format", "json")
	if r := decodeResults(t, out)[0]; r.Failure == nil || r.Failure.Reason != "bad_credentials" || r.Details[detailICEDiscovery] != "0 from OPTIONS" {
		t.Errorf("wrong token: %+v", r)
	}
}
