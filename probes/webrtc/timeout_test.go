package webrtc

import (
	"github.com/voicewatch/voicewatch/probes/internal/probetest"

	"github.com/voicewatch/voicewatch/probes/probemetrics"

	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/internal/coturntest"
	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/webrtc/webrtctest"
)

// A probe never outlives its timeout by more than a small margin, whatever
// phase it is stuck in.
func TestTimeoutHonoured(t *testing.T) {
	hang := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer hung.Close()
	defer close(hang)
	echo := httptest.NewServer(webrtctest.New(t, token))
	defer echo.Close()
	closedTURN := "turn:127.0.0.1:" + strconv.Itoa(coturntest.FreePort(t)) + "?transport=udp"
	tests := []struct {
		name      string
		cfg       Config
		wantPhase string
	}{
		{"WHIP endpoint never answers", Config{Target: hung.URL + "/whip", Token: token, Loopback: true}, probemetrics.PhaseWebRTCSignaling},
		{"relay only, TURN server down", Config{Target: echo.URL + "/whip", Token: token, Loopback: true, RelayOnly: true,
			ICEServers: []ICEServer{{URL: closedTURN, Username: "u", Password: "p"}}}, probemetrics.PhaseWebRTCICEGathering},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			r := probetest.Run(t, p, 700*time.Millisecond)
			if r.Success || r.Failure.Phase != tt.wantPhase {
				t.Fatalf("failure %+v, want a failure in %s", r.Failure, tt.wantPhase)
			}
			if r.Failure.Reason != probes.ReasonTimeout {
				t.Fatalf("reason %s, want timeout", r.Failure.Reason)
			}
		})
	}
}
