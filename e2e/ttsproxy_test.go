package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/coder/websocket"
)

// ttsProxy sits between the media core and the ElevenLabs test server. When
// policyBug is on, it adds changed voice_settings to every message after the
// first, exactly the bug of the incident's bot; the real test server then
// closes the stream with 1008 and its policy-violation reason, which the
// proxy passes back unchanged.
type ttsProxy struct {
	upstream  string // ws://127.0.0.1:port
	srv       *httptest.Server
	policyBug atomic.Bool
}

func startTTSProxy(t *testing.T, upstream string) *ttsProxy {
	t.Helper()
	p := &ttsProxy{upstream: upstream}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

// URL is the base URL for the adapter's base_url.
func (p *ttsProxy) URL() string { return "ws" + strings.TrimPrefix(p.srv.URL, "http") }

func (p *ttsProxy) serve(w http.ResponseWriter, r *http.Request) {
	h := http.Header{}
	if k := r.Header.Get("xi-api-key"); k != "" {
		h.Set("xi-api-key", k)
	}
	up, resp, err := websocket.Dial(r.Context(), p.upstream+r.URL.RequestURI(), &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		code := http.StatusBadGateway
		if resp != nil {
			code = resp.StatusCode
		}
		http.Error(w, "upstream: "+err.Error(), code)
		return
	}
	defer up.CloseNow()
	down, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer down.CloseNow()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	done := make(chan struct{})
	go func() { // owner: serve; exits when either side ends (cancel)
		defer close(done)
		defer cancel()
		for n := 1; ; n++ {
			typ, b, err := down.Read(ctx)
			if err != nil {
				up.Close(websocket.StatusNormalClosure, "")
				return
			}
			if n > 1 && p.policyBug.Load() {
				b = withChangedVoiceSettings(b)
			}
			if err := up.Write(ctx, typ, b); err != nil {
				return
			}
		}
	}()
	for {
		typ, b, err := up.Read(ctx)
		if err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) {
				down.Close(ce.Code, ce.Reason)
			}
			break
		}
		if err := down.Write(ctx, typ, b); err != nil {
			break
		}
	}
	cancel()
	<-done
}

// withChangedVoiceSettings adds voice_settings that differ from any sane
// first message to a text message.
func withChangedVoiceSettings(b []byte) []byte {
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return b
	}
	m["voice_settings"] = map[string]any{"stability": 0.11, "similarity_boost": 0.22}
	out, err := json.Marshal(m)
	if err != nil {
		return b
	}
	return out
}
