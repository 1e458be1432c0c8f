package httpguard

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is an Observer that remembers what it was told.
type recorder struct {
	mu     sync.Mutex
	events []string
}

var _ Observer = (*recorder)(nil)

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, s)
}

func (r *recorder) Scanner(_ *http.Request, c netip.Addr, p Pattern) {
	r.add(fmt.Sprintf("scanner %s %s", c, p))
}
func (r *recorder) RateLimited(_ *http.Request, c netip.Addr) {
	r.add(fmt.Sprintf("ratelimited %s", c))
}
func (r *recorder) Rejected(_ *http.Request, c netip.Addr, status int, reason string) {
	r.add(fmt.Sprintf("rejected %s %d %s", c, status, reason))
}

func (r *recorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

// echoClient is the application handler: it answers with the client IP the
// guard resolved.
var echoClient = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	ip, ok := ClientIPFrom(r.Context())
	if !ok {
		http.Error(w, "no client IP in context", http.StatusInternalServerError)
		return
	}
	if _, err := io.Copy(io.Discard, r.Body); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
	}
	fmt.Fprint(w, ip)
})

func newGuard(t *testing.T, cfg Config, obs Observer, opts ...Option) *Guard {
	t.Helper()
	g, err := New(cfg, obs, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// countingBody records whether anyone read it.
type countingBody struct {
	mu    sync.Mutex
	reads int
}

func (b *countingBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reads++
	return 0, io.EOF
}
func (b *countingBody) Close() error { return nil }

func TestGuardRejectsScannersWithoutReadingTheBody(t *testing.T) {
	tests := []struct {
		name, method, target string
		wantStatus           int
		wantPattern          Pattern
	}{
		{"weblogic", "GET", "/console/css/%252e%252e%252fconsole.portal", http.StatusNotFound, PatternWebLogic},
		{"sendmail", "POST", "/bsguest.cgi?email=x;/usr/sbin/sendmail", http.StatusNotFound, PatternCGIInjection},
		{"dotenv", "GET", "/.env", http.StatusNotFound, PatternDotfile},
		{"invalid method", "ABCD", "/", http.StatusMethodNotAllowed, PatternInvalidMethod},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			called := false
			next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true })
			h := newGuard(t, Config{}, rec).Wrap(next)
			body := &countingBody{}
			req := httptest.NewRequest(tt.method, tt.target, body)
			req.ContentLength = 1 << 20
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != tt.wantStatus {
				t.Errorf("status %d, want %d", w.Code, tt.wantStatus)
			}
			if got := w.Header().Get("Connection"); got != "close" {
				t.Errorf("Connection: %q, want close", got)
			}
			if tt.wantStatus == http.StatusMethodNotAllowed && w.Header().Get("Allow") != allowedMethods {
				t.Errorf("Allow: %q, want %q", w.Header().Get("Allow"), allowedMethods)
			}
			if called {
				t.Error("the application handler ran")
			}
			if body.reads != 0 {
				t.Errorf("the body was read %d times", body.reads)
			}
			want := []string{fmt.Sprintf("scanner 192.0.2.1 %s", tt.wantPattern)}
			if got := rec.list(); strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("observer saw %q, want %q", got, want)
			}
		})
	}
}

// rawRequest sends raw bytes to addr and returns the response and whether
// the server closed the connection afterwards, all within a deadline.
func rawRequest(t *testing.T, addr, raw string) (*http.Response, bool) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatalf("reading the response body: %v", err)
	}
	resp.Body.Close()
	_, err = br.ReadByte()
	closed := errors.Is(err, io.EOF)
	if err != nil && !closed {
		t.Fatalf("waiting for the server to close: %v", err)
	}
	return resp, closed
}

func TestGuardOverTCP(t *testing.T) {
	tests := []struct {
		name       string
		raw        string
		wantStatus int
		wantClose  bool
		wantBody   string
	}{
		{
			name:       "invalid method",
			raw:        "ABCD / HTTP/1.1\r\nHost: x\r\n\r\n",
			wantStatus: http.StatusMethodNotAllowed,
			wantClose:  true,
		},
		{
			// The body is announced but never sent: if the server tried to
			// read or drain it, it would wait until the deadline instead of
			// answering and closing.
			name:       "scanner POST with a large body",
			raw:        "POST /wls-wsat/CoordinatorPortType HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 200000\r\n\r\n",
			wantStatus: http.StatusNotFound,
			wantClose:  true,
		},
		{
			name:       "declared body over the limit",
			raw:        "POST /whip HTTP/1.1\r\nHost: x\r\nContent-Type: application/sdp\r\nContent-Length: 200000\r\n\r\n",
			wantStatus: http.StatusRequestEntityTooLarge,
			wantClose:  true,
		},
		{
			name:       "chunked body over the limit is cut by MaxBytesReader",
			raw:        "POST /whip HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", 2048, strings.Repeat("v", 2048)),
			wantStatus: http.StatusRequestEntityTooLarge,
			wantClose:  true,
		},
		{
			name:       "legitimate request reaches the handler",
			raw:        "POST /whip HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nv=0",
			wantStatus: http.StatusOK,
			wantBody:   "127.0.0.1",
		},
	}
	g := newGuard(t, Config{MaxBodyBytes: 1024}, nil)
	srv := httptest.NewServer(g.Wrap(echoClient))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.wantClose {
				resp, closed := rawRequest(t, addr, tt.raw)
				if resp.StatusCode != tt.wantStatus {
					t.Errorf("status %d, want %d", resp.StatusCode, tt.wantStatus)
				}
				if !closed {
					t.Error("the server kept the connection open")
				}
				return
			}
			resp, err := http.Post(srv.URL+"/whip", "application/sdp", strings.NewReader("v=0"))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus || string(b) != tt.wantBody {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, b, tt.wantStatus, tt.wantBody)
			}
		})
	}
}

func TestGuardForwardedFor(t *testing.T) {
	tests := []struct {
		name    string
		trusted []string
		xff     string
		want    string
	}{
		{"spoofed from an untrusted peer is ignored", []string{"10.0.0.0/16"}, "203.0.113.7", "127.0.0.1"},
		{"no trusted proxies configured", nil, "203.0.113.7", "127.0.0.1"},
		{"honoured from a trusted CIDR", []string{"127.0.0.0/8"}, "203.0.113.7", "203.0.113.7"},
		{"client-prepended entries ignored", []string{"127.0.0.0/8"}, "6.6.6.6, 203.0.113.7", "203.0.113.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(newGuard(t, Config{TrustedProxies: tt.trusted}, nil).Wrap(echoClient))
			defer srv.Close()
			req, err := http.NewRequest(http.MethodGet, srv.URL+"/whip/1/events", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Forwarded-For", tt.xff)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK || string(b) != tt.want {
				t.Errorf("got %d %q, want 200 %q", resp.StatusCode, b, tt.want)
			}
		})
	}
}

func TestGuardRateLimit(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	rec := &recorder{}
	h := newGuard(t, Config{RatePerSecond: 0.5, Burst: 2, TrustedProxies: []string{"192.0.2.0/24"}}, rec, WithClock(clock)).Wrap(echoClient)
	get := func(client string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/sessions", nil) // peer 192.0.2.1, trusted
		req.Header.Set("X-Forwarded-For", client)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	for i := range 2 {
		if w := get("203.0.113.7"); w.Code != http.StatusOK {
			t.Fatalf("request %d within the burst: %d", i+1, w.Code)
		}
	}
	w := get("203.0.113.7")
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "2" {
		t.Fatalf("over the burst: %d Retry-After %q, want 429 and 2", w.Code, w.Header().Get("Retry-After"))
	}
	if w := get("203.0.113.8"); w.Code != http.StatusOK {
		t.Fatalf("another client behind the same proxy was limited: %d", w.Code)
	}
	now = now.Add(1500 * time.Millisecond)
	if w := get("203.0.113.7"); w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "1" {
		t.Fatalf("after 1.5s: %d Retry-After %q, want 429 and 1", w.Code, w.Header().Get("Retry-After"))
	}
	now = now.Add(500 * time.Millisecond)
	if w := get("203.0.113.7"); w.Code != http.StatusOK {
		t.Fatalf("after Retry-After elapsed: %d, want 200", w.Code)
	}
	want := "ratelimited 203.0.113.7|ratelimited 203.0.113.7"
	if got := strings.Join(rec.list(), "|"); got != want {
		t.Errorf("observer saw %q, want %q", got, want)
	}
}

func TestGuardLegitimatePassesWithNilObserver(t *testing.T) {
	h := newGuard(t, Config{}, nil).Wrap(echoClient)
	for _, target := range []string{"/", "/whip", "/metrics", "/-/ready", "/probe?target=stun%3A127.0.0.1%3A3478&module=stun"} {
		t.Run(target, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
			if w.Code != http.StatusOK || w.Body.String() != "192.0.2.1" {
				t.Errorf("got %d %q, want 200 192.0.2.1", w.Code, w.Body.String())
			}
		})
	}
}
