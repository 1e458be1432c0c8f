package webrtc

import (
	"github.com/voicewatch/voicewatch/probes/internal/probetest"

	"github.com/voicewatch/voicewatch/probes/probemetrics"

	"github.com/voicewatch/voicewatch/voice/audio"

	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"gopkg.in/yaml.v3"

	"github.com/voicewatch/voicewatch/internal/coturntest"
	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/webrtc/webrtctest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const token = "whip-t0ken-s3cret"

func TestProbe(t *testing.T) {
	tests := []struct {
		name       string
		cfg        func(url string, turnSrv *coturntest.Server) Config
		mute       bool
		trickle    bool
		wantReason probes.Reason
		wantPhase  string
		wantLocal  string
	}{
		{name: "host candidates", cfg: func(u string, _ *coturntest.Server) Config {
			return Config{Target: u, Token: token, Loopback: true}
		}, wantLocal: "host"},
		{name: "trickle", trickle: true, cfg: func(u string, _ *coturntest.Server) Config {
			return Config{Target: u, Token: token, Loopback: true, Trickle: true}
		}, wantLocal: "host"},
		{name: "trickle not supported by server", cfg: func(u string, _ *coturntest.Server) Config {
			return Config{Target: u, Token: token, Loopback: true, Trickle: true}
		}, wantLocal: "host"},
		{name: "relay only through coturn", cfg: func(u string, s *coturntest.Server) Config {
			return Config{Target: u, Token: token, Loopback: true, RelayOnly: true, ICEServers: []ICEServer{
				{URL: s.TURNURI("udp"), Username: coturntest.DefaultUser, Password: coturntest.DefaultPassword}}}
		}, wantLocal: "relay"},
		{name: "bad token", cfg: func(u string, _ *coturntest.Server) Config {
			return Config{Target: u, Token: "wrong", Loopback: true}
		}, wantReason: probes.ReasonBadCredentials, wantPhase: probemetrics.PhaseWebRTCSignaling},
		{name: "no audio back", mute: true, cfg: func(u string, _ *coturntest.Server) Config {
			return Config{Target: u, Token: token, Loopback: true}
		}, wantReason: probes.ReasonNoAudio, wantPhase: probemetrics.PhaseWebRTCFirstAudio},
		{name: "endpoint down", cfg: func(_ string, _ *coturntest.Server) Config {
			return Config{Target: "http://127.0.0.1:1/whip", Token: token, Loopback: true}
		}, wantReason: probes.ReasonUnreachable, wantPhase: probemetrics.PhaseWebRTCSignaling},
	}
	turnSrv := coturntest.Start(t, coturntest.Options{AllowLoopbackPeers: true})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			echo := webrtctest.New(t, token)
			echo.Mute, echo.Trickle = tt.mute, tt.trickle
			srv := httptest.NewServer(echo)
			defer srv.Close()
			p, err := New(tt.cfg(srv.URL+"/whip", turnSrv))
			if err != nil {
				t.Fatal(err)
			}
			timeout := 5 * time.Second
			if tt.mute {
				timeout = 2 * time.Second
			}
			r := probetest.Run(t, p, timeout)
			if strings.Contains(r.Failure.Message(), token) {
				t.Fatal("token in failure message")
			}
			if !probetest.Expect(t, r, tt.wantReason, tt.wantPhase) {
				return
			}
			for _, ph := range Phases {
				if _, ok := r.Phases.Get(ph); !ok {
					t.Errorf("phase %s missing: %v", ph, r.Phases)
				}
			}
			if got := r.Details[probes.DetailLocalCandidate]; got != tt.wantLocal {
				t.Errorf("local candidate %q, want %q", got, tt.wantLocal)
			}
			if echo.Deletes() != 1 {
				t.Errorf("server saw %d DELETEs, want 1 (hang-up)", echo.Deletes())
			}
			if tt.trickle && echo.Patches() == 0 {
				t.Error("trickle: server saw no PATCH")
			}
		})
	}
}

func TestToneIsSpeechLevelAndSilenceIsNot(t *testing.T) {
	loud := 0.0
	for n := range 50 {
		loud = max(loud, rms(tone(n)))
	}
	if loud < 2000 {
		t.Errorf("tone RMS peak %.0f, want > 2000", loud)
	}
	if s := rms(silence()); s > 10 {
		t.Errorf("silence RMS %.0f", s)
	}
	for _, v := range []int16{0, 100, -100, 1000, -8000, 32000} {
		got := audio.DecodeULaw(audio.EncodeULaw(v))
		d, tol := int(got)-int(v), abs(int(v))/32+40
		if abs(d) > tol {
			t.Errorf("μ-law round trip %d → %d", v, got)
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func TestConfigYAML(t *testing.T) {
	var c Config
	if err := yaml.Unmarshal([]byte("relay_acceptance_min_wait: 0s\ntone_duration: 500ms\nwait_for_audio: false\n"), &c); err != nil {
		t.Fatal(err)
	}
	if c.RelayAcceptanceMinWait == nil || *c.RelayAcceptanceMinWait != 0 || c.ToneDuration != 500*time.Millisecond || c.WaitForAudio == nil || *c.WaitForAudio {
		t.Fatalf("decoded %+v", c)
	}
}

// An https WHIP endpoint's certificate expiry is in the result
// (probe_ssl_earliest_cert_expiry).
func TestHTTPSEndpointCertExpiry(t *testing.T) {
	echo := webrtctest.New(t, token)
	srv := httptest.NewTLSServer(echo)
	defer srv.Close()
	p, err := New(Config{Target: srv.URL + "/whip", Token: token, Loopback: true}, WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	r := p.Probe(ctx)
	if !r.Success {
		t.Fatalf("failed: %+v", r.Failure)
	}
	if want := srv.Certificate().NotAfter; !r.CertExpiry.Equal(want) {
		t.Errorf("cert expiry %v, want %v", r.CertExpiry, want)
	}
}
