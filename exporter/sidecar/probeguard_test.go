package sidecar

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// tokenTarget is an HTTP server that counts its connections and records
// the Authorization headers it was sent.
type tokenTarget struct {
	*httptest.Server
	conns atomic.Int32
	mu    sync.Mutex
	auth  []string
}

func newTokenTarget(t *testing.T) *tokenTarget {
	tt := &tokenTarget{}
	tt.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tt.mu.Lock()
		tt.auth = append(tt.auth, r.Header.Get("Authorization"))
		tt.mu.Unlock()
	}))
	tt.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			tt.conns.Add(1)
		}
	}
	tt.Start()
	t.Cleanup(tt.Close)
	return tt
}

// TestProbeAllowList: a module that carries a token probes only the
// targets it lists; any other target is 403 and never contacted.
func TestProbeAllowList(t *testing.T) {
	good, evil := newTokenTarget(t), newTokenTarget(t)
	sc := startSidecar(t, `
modules:
  whip_auth:
    kind: http
    timeout: 5s
    http: {token: "module-token-0123456789"}
    allowed_targets: ["`+good.URL+`/*"]
  http_2xx: {kind: http, timeout: 5s}
`)
	probe := func(module, target string) (int, string) {
		return get(t, sc.base+"/probe?"+url.Values{"module": {module}, "target": {target}}.Encode())
	}
	if code, body := probe("whip_auth", good.URL+"/health"); code != 200 || !strings.Contains(body, "probe_success{") || !strings.Contains(body, "} 1") {
		t.Fatalf("allowed target: %d %s", code, body)
	}
	for _, target := range []string{evil.URL + "/health", good.URL + "/a/b", good.URL + ".evil.example/x", "http://169.254.169.254/latest/meta-data/"} {
		code, body := probe("whip_auth", target)
		if code != http.StatusForbidden || !strings.Contains(body, "allowed_targets") {
			t.Errorf("%s: %d %s, want 403", target, code, body)
		}
	}
	if n := evil.conns.Load(); n != 0 {
		t.Errorf("the refused target got %d connections", n)
	}
	good.mu.Lock()
	defer good.mu.Unlock()
	if len(good.auth) != 1 || good.auth[0] != "Bearer module-token-0123456789" {
		t.Errorf("allowed target saw Authorization %q", good.auth)
	}
	// A module without credentials keeps blackbox_exporter's behaviour.
	if code, _ := probe("http_2xx", evil.URL+"/"); code != 200 {
		t.Errorf("http_2xx: %d", code)
	}
}

func TestCredentialModuleNeedsAllowList(t *testing.T) {
	for name, mod := range map[string]string{
		"http token":  `{kind: http, http: {token: "t0ken-t0ken-t0ken"}}`,
		"turn secret": `{kind: turn, turn: {secret: "s3cret"}}`,
		"turn user":   `{kind: turn, turn: {username: u, password: p4ss}}`,
		"webrtc":      `{kind: webrtc, webrtc: {token: "t0ken-t0ken-t0ken"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseConfig(strings.NewReader("modules:\n  m: "+mod+"\n"), LoadOptions{Getenv: env(nil)})
			if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "allowed_targets") {
				t.Fatalf("err = %v, want one asking for allowed_targets", err)
			}
			if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "t0ken") || strings.Contains(err.Error(), "p4ss") {
				t.Errorf("error leaks the credential: %v", err)
			}
		})
	}
	_, err := ParseConfig(strings.NewReader("modules:\n  m: {kind: http, allowed_targets: [\"[\"]}\n"), LoadOptions{Getenv: env(nil)})
	if !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("bad pattern: %v", err)
	}
}

// TestProbeConcurrencyBound: /probe runs beyond max_concurrent_probes are
// refused with 429 instead of piling up goroutines.
func TestProbeConcurrencyBound(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 4)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
	}))
	defer slow.Close()
	defer close(release)
	sc := startSidecar(t, `
max_concurrent_probes: 1
modules:
  http_2xx: {kind: http, timeout: 20s}
`)
	u := sc.base + "/probe?" + url.Values{"module": {"http_2xx"}, "target": {slow.URL}}.Encode()
	first := make(chan int, 1)
	go func() {
		resp, err := http.Get(u)
		if err != nil {
			first <- 0
			return
		}
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the first probe never reached its target")
	}
	if code, body := get(t, u); code != http.StatusTooManyRequests {
		t.Fatalf("second probe: %d %s, want 429", code, body)
	}
	release <- struct{}{}
	if code := <-first; code != 200 {
		t.Errorf("first probe: %d", code)
	}
}

// TestSidecarWebConfig: --web.config.file (exporter-toolkit) puts TLS and
// basic auth on the listener.
func TestSidecarWebConfig(t *testing.T) {
	dir := t.TempDir()
	certPEM, keyPEM := selfSigned(t)
	_ = os.WriteFile(filepath.Join(dir, "cert.pem"), certPEM, 0o600)
	_ = os.WriteFile(filepath.Join(dir, "key.pem"), keyPEM, 0o600)
	hash, err := bcrypt.GenerateFromPassword([]byte("prom-password"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	webCfg := filepath.Join(dir, "web.yml")
	_ = os.WriteFile(webCfg, []byte("tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\nbasic_auth_users:\n  prometheus: "+string(hash)+"\n"), 0o600)
	sc := startSidecar(t, "", WithWebConfigFile(webCfg))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	base := "https://" + strings.TrimPrefix(sc.base, "http://")
	do := func(user, pass string) int {
		req, _ := http.NewRequest(http.MethodGet, base+"/metrics", nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := do("", ""); code != http.StatusUnauthorized {
		t.Errorf("no credentials: %d, want 401", code)
	}
	if code := do("prometheus", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("wrong password: %d, want 401", code)
	}
	if code := do("prometheus", "prom-password"); code != 200 {
		t.Errorf("right password: %d, want 200", code)
	}
	// Plain HTTP gets no metrics.
	if resp, err := http.Get(sc.base + "/metrics"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Error("plain HTTP served /metrics")
		}
	}
	// A broken web config is refused at start.
	bad := filepath.Join(dir, "bad.yml")
	_ = os.WriteFile(bad, []byte("tls_server_config:\n  cert_file: missing.pem\n  key_file: missing.pem\n"), 0o600)
	if _, err := New(Config{}.WithDefaults(), WithWebConfigFile(bad)); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("broken web config: %v", err)
	}
}

func selfSigned(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
}
