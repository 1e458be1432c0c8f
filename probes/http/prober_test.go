package http

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/goleak"

	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestProbe(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthy":
			w.WriteHeader(http.StatusOK)
		case "/auth":
			if r.Header.Get("Authorization") != "Bearer tok-s3cret" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		case "/slow":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	defer close(release)
	tests := []struct {
		name       string
		cfg        Config
		wantReason probes.Reason
	}{
		{"ok", Config{Target: srv.URL + "/healthy"}, ""},
		{"bearer and expected status", Config{Target: srv.URL + "/auth", Token: "tok-s3cret", ExpectedStatus: 204}, ""},
		{"503", Config{Target: srv.URL + "/down"}, probes.ReasonHTTPStatus},
		{"timeout", Config{Target: srv.URL + "/slow"}, probes.ReasonTimeout},
		{"refused", Config{Target: "http://127.0.0.1:1/"}, probes.ReasonUnreachable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
			defer cancel()
			r := p.Probe(ctx)
			if tt.wantReason == "" {
				if !r.Success {
					t.Fatalf("failed: %+v", r.Failure)
				}
				return
			}
			if r.Success || r.Failure.Reason != tt.wantReason || r.Failure.Phase != probemetrics.PhaseHTTPRequest {
				t.Fatalf("got %+v, want %s in request", r.Failure, tt.wantReason)
			}
			if strings.Contains(r.Failure.Message(), "s3cret") {
				t.Fatal("secret in message")
			}
		})
	}
	srv.CloseClientConnections()
}

// An https target's certificate expiry becomes probe_ssl_earliest_cert_expiry.
func TestHTTPSCertExpiry(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	p, err := New(Config{Target: srv.URL, ExpectedStatus: 200}, WithClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	r := p.Probe(t.Context())
	if !r.Success {
		t.Fatalf("failed: %+v", r.Failure)
	}
	if want := srv.Certificate().NotAfter; !r.CertExpiry.Equal(want) {
		t.Errorf("cert expiry %v, want the server certificate's %v", r.CertExpiry, want)
	}
	reg, err := probes.MetricsRegistry(r)
	if err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(reg, probemetrics.MetricProbeCertExpiry); n != 1 {
		t.Errorf("%s: %d series, want 1", probemetrics.MetricProbeCertExpiry, n)
	}
}
