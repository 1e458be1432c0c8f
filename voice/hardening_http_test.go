package voice

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/voicewatch/voicewatch/internal/secret"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// rawExchange writes raw on a new connection to ts and returns the response
// (nil if the server closed without one) and whether the server then
// closed the connection, all within wait.
func rawExchange(t *testing.T, ts *testServer, raw string, wait time.Duration) (*http.Response, bool) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(ts.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(wait))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("no response within %v", wait)
		}
		return nil, true
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	_, err = br.ReadByte()
	return resp, errors.Is(err, io.EOF)
}

// TestSlowBodyWithoutTokenGets401: the refusal does not wait for a body
// that will never be read, and the connection is closed.
func TestSlowBodyWithoutTokenGets401(t *testing.T) {
	cfg := loopbackConfig(t)
	cfg.Auth.InsecureNoAuth = false
	cfg.Auth.Tokens = []secret.Secret{"a-long-enough-test-token"}
	ts := startServer(t, cfg)
	for _, path := range []string{"/whip", "/whip/0123456789abcdef0123456789abcdef"} {
		method := "POST"
		if path != "/whip" {
			method = "PATCH"
		}
		resp, closed := rawExchange(t, ts, method+" "+path+" HTTP/1.1\r\nHost: x\r\nContent-Type: application/sdp\r\nContent-Length: 5000\r\n\r\nv=0\r\n", 5*time.Second)
		if resp == nil || resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%s %s: %v, want 401", method, path, resp)
		}
		if !closed {
			t.Errorf("%s %s: 401 kept the connection open", method, path)
		}
	}
	resp, closed := rawExchange(t, ts, "POST /whip HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a-long-enough-test-token\r\nContent-Type: text/plain\r\nContent-Length: 5000\r\n\r\n", 5*time.Second)
	if resp == nil || resp.StatusCode != http.StatusUnsupportedMediaType || !closed {
		t.Fatalf("415: %v closed=%v", resp, closed)
	}
}

// TestServerTimeouts: an idle keep-alive connection and a body that
// trickles in are both cut off by the server.
func TestServerTimeouts(t *testing.T) {
	cfg := loopbackConfig(t)
	cfg.HTTP.ReadTimeout = 300 * time.Millisecond
	cfg.HTTP.IdleTimeout = 300 * time.Millisecond
	ts := startServer(t, cfg)

	t.Run("idle keep-alive", func(t *testing.T) {
		resp, closed := rawExchange(t, ts, "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n", 10*time.Second)
		if resp == nil || resp.StatusCode != 200 || !closed {
			t.Fatalf("idle connection: %v closed=%v; want 200 then closed", resp, closed)
		}
	})
	t.Run("slow body", func(t *testing.T) {
		resp, closed := rawExchange(t, ts, "POST /whip HTTP/1.1\r\nHost: x\r\nContent-Type: application/sdp\r\nContent-Length: 5000\r\n\r\nv=0\r\n", 10*time.Second)
		if resp != nil && resp.StatusCode == http.StatusCreated {
			t.Fatalf("slow body answered %d", resp.StatusCode)
		}
		if !closed {
			t.Fatal("slow body kept the connection open")
		}
	})
	if n := ts.ActiveSessions(); n != 0 {
		t.Errorf("%d sessions from cut-off requests", n)
	}
}

// TestConnectionCapPerClient: one client cannot hold more than
// http.max_conns_per_client connections.
func TestConnectionCapPerClient(t *testing.T) {
	cfg := loopbackConfig(t)
	cfg.HTTP.MaxConnsPerClient = 4
	ts := startServer(t, cfg)
	addr := strings.TrimPrefix(ts.base, "http://")
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	served := 0
	for range 10 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		_, _ = io.WriteString(c, "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
		if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil {
			resp.Body.Close()
			served++
		}
	}
	if served != 4 {
		t.Fatalf("%d of 10 keep-alive connections served, want 4", served)
	}
	if got := ts.metric(t, voicemetrics.MetricHTTPRejected, voicemetrics.LabelReason, "too_many_connections"); got != 6 {
		t.Errorf("too_many_connections = %v, want 6", got)
	}
}

// TestProblemDocumentsAreJSON: whatever the request contains, a problem
// document parses as JSON and carries the detail.
func TestProblemDocumentsAreJSON(t *testing.T) {
	ts := startServer(t, loopbackConfig(t))
	for _, body := range []string{
		"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=\x01\x02\x7f\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=x\xff\xfe\r\n",
		"v=0\r\nx=\x00\x1b[31m\r\n",
		"\xc3\x28 bad utf-8",
	} {
		resp, err := http.Post(ts.base+"/whip", "application/sdp", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var doc problemDoc
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Errorf("%q: problem is not JSON (%v): %q", body, err, b)
			continue
		}
		if doc.Status != resp.StatusCode || doc.Detail == "" {
			t.Errorf("%q: problem %+v for status %d", body, doc, resp.StatusCode)
		}
	}
	// A PATCH whose candidate pion refuses: the detail quotes it.
	resp, body := postOffer(t, ts.base, realOffer(t))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST: %d %s", resp.StatusCode, body)
	}
	code, b := patch(t, ts.base+resp.Header.Get("Location"), "a=mid:0\r\na=candidate:1 1 udp \x01\xff\x1b[2J 127.0.0.1 9 typ host\r\n")
	var doc problemDoc
	if err := json.Unmarshal([]byte(b), &doc); err != nil || doc.Status != code {
		t.Errorf("PATCH problem is not JSON (%v): %q", err, b)
	}
	// problem itself, with control bytes in the detail.
	rec := &headerRecorder{h: http.Header{}}
	problem(rec, 400, "bad \x00\x01\x1b line \"q\" \xff")
	if !json.Valid(rec.body) {
		t.Errorf("problem with control bytes: %q", rec.body)
	}
}

type headerRecorder struct {
	h    http.Header
	body []byte
}

func (r *headerRecorder) Header() http.Header { return r.h }
func (r *headerRecorder) WriteHeader(int)     {}
func (r *headerRecorder) Write(b []byte) (int, error) {
	r.body = append(r.body, b...)
	return len(b), nil
}

// TestEventSubscriberCap: a session takes a handful of event WebSockets;
// beyond that 429, and the open ones keep working past the server's write
// timeout.
func TestEventSubscriberCap(t *testing.T) {
	cfg := loopbackConfig(t)
	cfg.HTTP.WriteTimeout = 500 * time.Millisecond
	ts := startServer(t, cfg)
	ctx, c := ts.call(t, 20*time.Second)
	wsURL := "ws" + strings.TrimPrefix(c.SessionURL(), "http") + "/events"
	var socks []*websocket.Conn
	for i := range maxSubscribers {
		ws, resp, err := websocket.Dial(ctx, wsURL, nil)
		if err != nil {
			t.Fatalf("subscriber %d: %v %v", i+1, resp, err)
		}
		socks = append(socks, ws)
	}
	_, resp, err := websocket.Dial(ctx, wsURL, nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("subscriber %d: %v %v, want 429", maxSubscribers+1, resp, err)
	}
	// Outlive the write timeout: a WebSocket is not an HTTP request.
	time.Sleep(2 * cfg.HTTP.WriteTimeout)
	if _, err := c.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	for i, ws := range socks {
		ended := false
		for !ended {
			_, b, err := ws.Read(ctx)
			if err != nil {
				t.Fatalf("subscriber %d lost its socket before session.ended: %v", i+1, err)
			}
			ended = strings.Contains(string(b), EventSessionEnded)
		}
		ws.CloseNow()
	}
}

// TestTestPageSecurityHeaders: the page forbids framing, leaks no referrer
// and runs only its own inline script and style (pinned by hash).
func TestTestPageSecurityHeaders(t *testing.T) {
	ts := startServer(t, loopbackConfig(t))
	resp, err := http.Get(ts.base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	h := resp.Header
	if h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers: %v", h)
	}
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "connect-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	for _, re := range []*regexp.Regexp{inlineScript, inlineStyle} {
		m := re.FindSubmatch(page)
		if m == nil {
			t.Fatalf("served page has no %v", re)
		}
		sum := sha256.Sum256(m[1])
		if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, h) {
			t.Errorf("CSP does not allow the served inline block %v (%s)", re, h)
		}
	}
}

// The page's own script files are pinned: each <script src> carries the
// integrity hash of the embedded file it names, and the policy allows
// exactly that hash (edit quality.js, and this test gives the new hash).
func TestTestPageScriptFilesPinned(t *testing.T) {
	page, err := staticFS.ReadFile("static/index.html")
	if err != nil {
		t.Fatal(err)
	}
	ms := pinnedScript.FindAllSubmatch(page, -1)
	if len(ms) == 0 {
		t.Fatal("the page pins no script file (static/quality.js)")
	}
	for _, m := range ms {
		b, err := staticFS.ReadFile("static/" + string(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		want := "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
		if string(m[2]) != want {
			t.Errorf("static/%s: integrity %s in index.html, file hash %s", m[1], m[2], want)
		}
		if !strings.Contains(pageCSP, "'"+want+"'") {
			t.Errorf("CSP does not allow static/%s (%s)", m[1], want)
		}
	}
}
