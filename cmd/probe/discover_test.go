package main

import (
	"strings"
	"testing"

	vwsecret "github.com/voicewatch/voicewatch/internal/secret"
	"github.com/voicewatch/voicewatch/internal/turnserver"
	"github.com/voicewatch/voicewatch/voice"
	"github.com/voicewatch/voicewatch/voice/mediacoretest"
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
	cfg := mediacoretest.LoopbackConfig(t)
	cfg.Auth.InsecureNoAuth = false
	cfg.Auth.Tokens = []vwsecret.Secret{vwsecret.Secret(token)}
	cfg.ICE.Servers = []voice.ICEServer{{URLs: []string{turnURI}, Username: "whip", Secret: restSecret}}
	_, base := mediacoretest.Start(t, cfg)
	return base + "/whip", turnURI
}

// TestWebRTCICEDiscovery: `probe webrtc --relay-only` with no --ice-server
// proves the TURN path with the servers the endpoint announces in OPTIONS
// /whip (RFC 9725 §4.6); with --no-ice-discovery it has no TURN server,
// which is a usage error.
func TestWebRTCICEDiscovery(t *testing.T) {
	const token = "discovery-token-0123456789"
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
