package webrtc

import (
	"github.com/voicewatch/voicewatch/probes/probemetrics"

	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/webrtc/webrtctest"
)

// locationRewriter points the 201's Location at another origin.
type locationRewriter struct {
	http.ResponseWriter
	to string
}

func (w locationRewriter) WriteHeader(code int) {
	if loc := w.Header().Get("Location"); loc != "" {
		w.Header().Set("Location", w.to+loc)
	}
	w.ResponseWriter.WriteHeader(code)
}

// TestLocationOnAnotherOriginGetsNoToken: a WHIP server (or whoever
// controls its responses) that sends the session elsewhere does not get
// the bearer token there.
func TestLocationOnAnotherOriginGetsNoToken(t *testing.T) {
	var evilHits atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			evilHits.Add(1)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer evil.Close()
	echo := webrtctest.New(t, token)
	echo.Trickle = true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		echo.ServeHTTP(locationRewriter{ResponseWriter: w, to: evil.URL}, r)
	}))
	defer srv.Close()
	p, err := New(Config{Target: srv.URL + "/whip", Token: token, Loopback: true, Trickle: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	r := p.Probe(ctx)
	if r.Success || r.Failure == nil || r.Failure.Phase != probemetrics.PhaseWebRTCSignaling {
		t.Fatalf("probe = %+v, want a signaling failure", r.Failure)
	}
	if r.Failure.Reason == probes.ReasonBadCredentials {
		t.Errorf("reason %s: the token was not the problem", r.Failure.Reason)
	}
	if n := evilHits.Load(); n != 0 {
		t.Errorf("the other origin received the token %d times", n)
	}
}
