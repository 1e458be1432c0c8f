package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/voicewatch/voicewatch/voice"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newDialog(t *testing.T, cfg Config) *Dialog {
	t.Helper()
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

func TestReplyRoundTrip(t *testing.T) {
	var got []Request
	var auth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req Request
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		got = append(got, req)
		auth = append(auth, r.Header.Get("Authorization"))
		if req.Turn == 0 {
			_, _ = w.Write([]byte(`{"text":"Hi, how can I help?"}`))
			return
		}
		_, _ = w.Write([]byte(`{"text":"You said: ` + req.Transcript + `","hangup":true}`))
	}))
	defer srv.Close()
	t.Setenv("VOICEWATCH_TEST_WEBHOOK_TOKEN", "tok-123")
	d := newDialog(t, Config{URL: srv.URL, Greeting: true, TokenEnv: "VOICEWATCH_TEST_WEBHOOK_TOKEN"})
	ctx := context.Background()
	g, err := d.Greeting(ctx, "s1")
	if err != nil || g.Text != "Hi, how can I help?" || g.Hangup {
		t.Fatalf("greeting %+v, %v", g, err)
	}
	r, err := d.Reply(ctx, voice.Turn{SessionID: "s1", Index: 1, Transcript: voice.Transcript{Text: "book a table", Final: true}})
	if err != nil || r.Text != "You said: book a table" || !r.Hangup {
		t.Fatalf("reply %+v, %v", r, err)
	}
	want := []Request{{SessionID: "s1"}, {SessionID: "s1", Turn: 1, Transcript: "book a table"}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("posted %+v, want %+v", got, want)
	}
	for _, a := range auth {
		if a != "Bearer tok-123" {
			t.Errorf("Authorization %q, want the bearer token", a)
		}
	}
}

func TestNoGreetingByDefault(t *testing.T) {
	d := newDialog(t, Config{URL: "http://127.0.0.1:1/never"})
	if r, err := d.Greeting(context.Background(), "s"); err != nil || r.Text != "" {
		t.Fatalf("greeting %+v, %v; want none without a request", r, err)
	}
}

func TestErrorsClassified(t *testing.T) {
	release := make(chan struct{}) // frees the slow handler before its server closes
	tests := []struct {
		name    string
		handler http.HandlerFunc
		closed  bool
		want    string
		is      error
	}{
		{name: "401", handler: status(401), want: voicemetrics.ReasonAuth, is: ErrStatus},
		{name: "429", handler: status(429), want: voicemetrics.ReasonThrottled, is: ErrStatus},
		{name: "503", handler: status(503), want: voicemetrics.ReasonOther, is: ErrStatus},
		{name: "not JSON", handler: func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<html>")) },
			want: voicemetrics.ReasonOther, is: ErrBadReply},
		{name: "slow endpoint", handler: func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}, want: voicemetrics.ReasonTimeout, is: context.DeadlineExceeded},
		{name: "refused", closed: true, want: voicemetrics.ReasonNetwork},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			if tc.closed {
				srv.Close()
			} else {
				defer srv.Close()
			}
			if tc.name == "slow endpoint" {
				defer close(release)
			}
			d := newDialog(t, Config{URL: srv.URL, Timeout: 200 * time.Millisecond, Token: "tok-secret"})
			_, err := d.Reply(context.Background(), voice.Turn{SessionID: "s", Index: 1})
			var pe *voice.ProviderError
			if !errors.As(err, &pe) || pe.Provider != Name || pe.Reason != tc.want {
				t.Fatalf("err = %v, want a %s ProviderError with reason %s", err, Name, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("err %v does not wrap %v", err, tc.is)
			}
			if strings.Contains(err.Error(), "tok-secret") {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
}

func status(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", code) }
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"ok", Config{URL: "https://bot.example.internal/turn"}, ""},
		{"no url", Config{}, `url "": want http(s)://host/path`},
		{"ftp", Config{URL: "ftp://x/y"}, "want http(s)"},
		{"empty token env", Config{URL: "http://h/", TokenEnv: "VOICEWATCH_TEST_UNSET_VAR"}, "token_env: VOICEWATCH_TEST_UNSET_VAR is empty"},
		{"missing token file", Config{URL: "http://h/", TokenFile: "/nonexistent"}, "token_file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
