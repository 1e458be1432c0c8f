package turn

import (
	"github.com/voicewatch/voicewatch/probes/probemetrics"

	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/internal/coturntest"
	"github.com/voicewatch/voicewatch/probes"
)

// writeCerts writes a CA and a server certificate for 127.0.0.1 /
// turn.test signed by it; it returns the CA, cert and key paths.
func writeCerts(t *testing.T) (caFile, certFile, keyFile string) {
	t.Helper()
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "voicewatch test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "turn.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"turn.test"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	write := func(name, typ string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("ca.pem", "CERTIFICATE", caDER), write("cert.pem", "CERTIFICATE", der), write("key.pem", "EC PRIVATE KEY", keyDER)
}

func TestCoturnTLS(t *testing.T) {
	caFile, certFile, keyFile := writeCerts(t)
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
