package turn

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/internal/vnettest"
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
		{name: "wrong password", password: "nope", wantReason: probes.ReasonBadCredentials, wantPhase: "allocate"},
		{name: "garbage answers", password: vnettest.Password, reply: func([]byte) []byte { return []byte{0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3} }, wantReason: probes.ReasonProtocol, wantPhase: "allocate"},
		{name: "never answers", password: vnettest.Password, reply: func([]byte) []byte { return nil }, wantReason: probes.ReasonTimeout, wantPhase: "allocate"},
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
			timeout := time.Second
			ctx, cancel := context.WithTimeout(t.Context(), timeout)
			defer cancel()
			start := time.Now()
			r := p.Probe(ctx)
			if el := time.Since(start); el > timeout+500*time.Millisecond {
				t.Errorf("probe took %s with a %s timeout", el, timeout)
			}
			if tt.wantReason != "" {
				if r.Success || r.Failure.Reason != tt.wantReason || r.Failure.Phase != tt.wantPhase {
					t.Fatalf("failure %+v, want %s in %s", r.Failure, tt.wantReason, tt.wantPhase)
				}
				return
			}
			if !r.Success {
				t.Fatalf("failed: %+v", r.Failure)
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
