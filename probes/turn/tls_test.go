package turn

import (
	"github.com/voicewatch/voicewatch/probes/probemetrics"

	"testing"
	"time"

	"github.com/voicewatch/voicewatch/internal/coturntest"
	"github.com/voicewatch/voicewatch/internal/tlstest"
	"github.com/voicewatch/voicewatch/probes"
)

func TestCoturnTLS(t *testing.T) {
	tf := tlstest.WriteFor(t, time.Hour, "127.0.0.1", "turn.test")
	caFile, certFile, keyFile := tf.CA, tf.Cert, tf.Key
	s := coturntest.Start(t, coturntest.Options{AllowLoopbackPeers: true, CertFile: certFile, KeyFile: keyFile})
	u, pw := coturntest.DefaultUser, coturntest.DefaultPassword
	tests := []struct {
		name       string
		cfg        Config
		wantReason probes.Reason
	}{
		{"pinned CA", Config{Target: s.TURNURI("tls"), Username: u, Password: pw, CAFile: caFile, PeerAddress: ""}, ""},
		{"system roots reject the test CA", Config{Target: s.TURNURI("tls"), Username: u, Password: pw}, probes.ReasonTLS},
		{"wrong server name", Config{Target: s.TURNURI("tls"), Username: u, Password: pw, CAFile: caFile, ServerName: "other.test"}, probes.ReasonTLS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := probeOnce(t, tt.cfg, 5*time.Second)
			if tt.wantReason == "" {
				if !r.Success || r.Details["transport"] != "tls" {
					t.Fatalf("failed: %+v %v", r.Failure, r.Details)
				}
				// The server certificate expires in an hour (writeCerts):
				// probe_ssl_earliest_cert_expiry reports it.
				if left := time.Until(r.CertExpiry); left < 50*time.Minute || left > time.Hour {
					t.Errorf("cert expiry %v (in %v), want the server certificate's, in about an hour", r.CertExpiry, left)
				}
				return
			}
			if r.Success || r.Failure.Reason != tt.wantReason || r.Failure.Phase != probemetrics.PhaseTURNConnect {
				t.Fatalf("failure %+v, want %s in connect", r.Failure, tt.wantReason)
			}
		})
	}
}
