package voice

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/internal/secret"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

const videoOnlyOffer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" +
	"m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:96 VP8/90000\r\na=mid:0\r\n"

const g722OnlyOffer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" +
	"m=audio 9 UDP/TLS/RTP/SAVPF 9\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:9 G722/8000\r\na=mid:0\r\n"

func TestBadInput(t *testing.T) {
	cfg := loopbackConfig(t)
	cfg.Auth.InsecureNoAuth = false
	cfg.Auth.Tokens = []secret.Secret{"s3cret-token-0123456"}
	ts := startServer(t, cfg)
	auth := map[string]string{"Authorization": "Bearer s3cret-token-0123456"}
	tests := []struct {
		name       string
		method     string
		path       string
		headers    map[string]string
		body       string
		wantStatus int
		wantBody   string
		metric     string
		labels     []string
	}{
		{name: "malformed SDP", method: "POST", path: "/whip", body: "this is not SDP",
			headers: map[string]string{"Content-Type": "application/sdp"}, wantStatus: 400, wantBody: "malformed SDP"},
		{name: "no audio m-line", method: "POST", path: "/whip", body: videoOnlyOffer,
			headers: map[string]string{"Content-Type": "application/sdp"}, wantStatus: 400, wantBody: "no audio media section"},
		{name: "no supported codec", method: "POST", path: "/whip", body: g722OnlyOffer,
			headers: map[string]string{"Content-Type": "application/sdp"}, wantStatus: 400, wantBody: "Opus or PCMU"},
		{name: "wrong content type", method: "POST", path: "/whip", body: "{}",
			headers: map[string]string{"Content-Type": "application/json"}, wantStatus: 415, wantBody: "application/sdp"},
		{name: "oversize body", method: "POST", path: "/whip", body: strings.Repeat("a", 200<<10),
			headers: map[string]string{"Content-Type": "application/sdp"}, wantStatus: 413,
			metric: voicemetrics.MetricHTTPRejected, labels: []string{voicemetrics.LabelReason, "body_too_large"}},
		{name: "weblogic console RCE", method: "GET",
			path:       "/console/bea-helpsets/css/%252e%252e%252fconsole.portal?_nfpb=true&handle=com.tangosol.coherence.mvel2.sh.ShellSession",
			wantStatus: 404, metric: voicemetrics.MetricHTTPScannerRequests, labels: []string{voicemetrics.LabelPattern, "weblogic"}},
		{name: "sendmail injection", method: "GET", path: "/bsguest.cgi?email=x;/usr/sbin/sendmail%20-t",
			wantStatus: 404, metric: voicemetrics.MetricHTTPScannerRequests, labels: []string{voicemetrics.LabelPattern, "cgi_injection"}},
		{name: "dotenv", method: "GET", path: "/.env", wantStatus: 404,
			metric: voicemetrics.MetricHTTPScannerRequests, labels: []string{voicemetrics.LabelPattern, "dotfile"}},
		{name: "unknown session", method: "DELETE", path: "/whip/0123456789abcdef0123456789abcdef", wantStatus: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := 0.0
			if tt.metric != "" {
				before = ts.metric(t, tt.metric, tt.labels...)
			}
			req, _ := http.NewRequest(tt.method, ts.base+tt.path, strings.NewReader(tt.body))
			for k, v := range auth {
				req.Header.Set(k, v)
			}
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.wantStatus, b)
			}
			if !strings.Contains(string(b), tt.wantBody) {
				t.Errorf("body %q does not say %q", b, tt.wantBody)
			}
			if tt.metric != "" {
				if got := ts.metric(t, tt.metric, tt.labels...) - before; got != 1 {
					t.Errorf("%s%v rose by %v, want 1", tt.metric, tt.labels, got)
				}
			}
		})
	}

	t.Run("invalid method on the wire", func(t *testing.T) {
		before := ts.metric(t, voicemetrics.MetricHTTPScannerRequests, voicemetrics.LabelPattern, "invalid_method")
		conn, err := net.Dial("tcp", strings.TrimPrefix(ts.base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_, _ = io.WriteString(conn, "ABCD / HTTP/1.1\r\nHost: x\r\n\r\n")
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("status %d, want 405", resp.StatusCode)
		}
		if got := ts.metric(t, voicemetrics.MetricHTTPScannerRequests, voicemetrics.LabelPattern, "invalid_method") - before; got != 1 {
			t.Errorf("invalid_method counter rose by %v", got)
		}
	})

	t.Run("bad token", func(t *testing.T) {
		for _, h := range []string{"", "Bearer wrong", "Basic s3cret-token-0123456", "Bearer s3cret-token-0123456-and-more"} {
			req, _ := http.NewRequest("POST", ts.base+"/whip", strings.NewReader(videoOnlyOffer))
			req.Header.Set("Content-Type", "application/sdp")
			if h != "" {
				req.Header.Set("Authorization", h)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("Authorization %q: status %d, want 401 with WWW-Authenticate", h, resp.StatusCode)
			}
		}
	})

	t.Run("scanner noise stays out of the error logs", func(t *testing.T) {
		for _, e := range ts.logs.Events() {
			if e["level"] == "ERROR" || e["level"] == "WARN" {
				t.Errorf("%s log for bad input: %v", e["level"], e)
			}
			if e["event"] == EventHTTPScanner && e["level"] != "DEBUG" {
				t.Errorf("scanner logged above debug: %v", e)
			}
		}
		if strings.Contains(ts.logs.String(), "s3cret-token-0123456") {
			t.Error("token leaked into logs")
		}
	})
}

func TestSpoofedForwardedFor(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trusted []string
		want    string
	}{
		{"untrusted peer: header ignored", nil, "127.0.0.1"},
		{"trusted proxy: header honoured", []string{"127.0.0.0/8"}, "203.0.113.7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := loopbackConfig(t)
			cfg.HTTP.TrustedProxies = tc.trusted
			ts := startServer(t, cfg)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c := voicetest.NewCaller(t, ts.base, voicetest.CallerOptions{Header: map[string]string{"X-Forwarded-For": "203.0.113.7"}})
			if _, err := c.Call(ctx); err != nil {
				t.Fatal(err)
			}
			started := ts.logs.Find(EventSessionStarted, nil)
			if len(started) != 1 || started[0]["client_ip"] != tc.want {
				t.Fatalf("session.started = %v, want client_ip %s", started, tc.want)
			}
			_, _ = c.Hangup(ctx)
		})
	}
}

func TestSessionCap(t *testing.T) {
	cfg := loopbackConfig(t)
	cfg.MaxSessions = 1
	ts := startServer(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	first := voicetest.NewCaller(t, ts.base, voicetest.CallerOptions{})
	if _, err := first.Call(ctx); err != nil {
		t.Fatal(err)
	}
	second := voicetest.NewCaller(t, ts.base, voicetest.CallerOptions{})
	resp, err := second.Call(ctx)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("second call: %v %v, want 503", resp, err)
	}
	if resp.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	if got := ts.metric(t, voicemetrics.MetricSessionsEnded, voicemetrics.LabelOutcome, voicemetrics.OutcomeRejected); got != 1 {
		t.Errorf("rejected sessions = %v, want 1", got)
	}
	_, _ = first.Hangup(ctx)
}

type pcmuOnlyTTS struct{ failingTTS }

func (pcmuOnlyTTS) Codecs() []Codec { return []Codec{CodecPCMU} }

// TestCodecPreferenceFromTTS: a TTS that speaks PCMU only (ElevenLabs'
// ulaw_8000) makes the media core answer PCMU even when the caller offers
// Opus first, as browsers do.
func TestCodecPreferenceFromTTS(t *testing.T) {
	ts := startServer(t, loopbackConfig(t), WithProviders(Providers{TTS: pcmuOnlyTTS{}}))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := voicetest.NewCaller(t, ts.base, voicetest.CallerOptions{Codec: string(CodecOpus), AlsoPCMU: true})
	offer, err := c.PC.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(offer.SDP, "opus/48000") {
		t.Fatalf("test offer lacks Opus:\n%s", offer.SDP)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.base+"/whip", strings.NewReader(offer.SDP))
	req.Header.Set("Content-Type", "application/sdp")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST: %d %s", resp.StatusCode, body)
	}
	c.Location = resp.Header.Get("Location")
	answer := string(body)
	if strings.Contains(strings.ToLower(answer), "opus/48000") || !strings.Contains(answer, "PCMU/8000") {
		t.Fatalf("answer does not pick PCMU only:\n%s", answer)
	}
	if got := ts.logs.Find(EventSessionStarted, map[string]any{"codec": "pcmu"}); len(got) != 1 {
		t.Errorf("session.started codec: %v", ts.logs.Find(EventSessionStarted, nil))
	}
	_, _ = c.Hangup(ctx)
}
