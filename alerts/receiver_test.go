package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decodeLines decodes every JSON line of out.
func decodeLines(t *testing.T, out []byte) []ReceivedNotification {
	t.Helper()
	var recs []ReceivedNotification
	for line := range bytes.Lines(out) {
		var r ReceivedNotification
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("output line is not JSON: %v\n%s", err, line)
		}
		recs = append(recs, r)
	}
	return recs
}

func TestReceiverHTTP(t *testing.T) {
	firing := readFixture(t, "webhook-firing.json")
	at := time.Date(2025, 11, 25, 20, 1, 3, 0, time.UTC)
	tests := []struct {
		name, method, path string
		body               []byte
		wantCode           int
		wantLines          int
	}{
		{"notification is logged", http.MethodPost, "/pager", firing, http.StatusOK, 1},
		{"any path is a receiver", http.MethodPost, "/", firing, http.StatusOK, 1},
		{"not JSON is rejected", http.MethodPost, "/pager", []byte("ABCD / HTTP/1.1"), http.StatusBadRequest, 0},
		{"GET is not a notification", http.MethodGet, "/pager", nil, http.StatusMethodNotAllowed, 0},
		{"oversized body", http.MethodPost, "/pager", append(append([]byte(`{"receiver":"`), bytes.Repeat([]byte("x"), 2048)...), `"}`...), http.StatusRequestEntityTooLarge, 0},
		{"health check", http.MethodGet, "/-/healthy", nil, http.StatusOK, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			var notified []ReceivedNotification
			h := NewReceiver(&out, ReceiverConfig{MaxBodyBytes: 1024 * 1024},
				WithReceiverClock(func() time.Time { return at }),
				WithNotifyFunc(func(r ReceivedNotification) { notified = append(notified, r) }))
			if tt.name == "oversized body" {
				h = NewReceiver(&out, ReceiverConfig{MaxBodyBytes: 1024})
			}
			req := httptest.NewRequest(tt.method, tt.path, bytes.NewReader(tt.body))
			rw := httptest.NewRecorder()
			h.ServeHTTP(rw, req)
			if rw.Code != tt.wantCode {
				t.Fatalf("status %d, want %d (%s)", rw.Code, tt.wantCode, rw.Body)
			}
			recs := decodeLines(t, out.Bytes())
			if len(recs) != tt.wantLines {
				t.Fatalf("%d lines written, want %d:\n%s", len(recs), tt.wantLines, out.String())
			}
			if tt.wantLines == 0 {
				return
			}
			r := recs[0]
			if r.Event != ReceivedEvent || r.Receiver != "pager" || r.Status != "firing" || r.Path != tt.path || !r.Time.Equal(at) {
				t.Errorf("line = event %q receiver %q status %q path %q time %v", r.Event, r.Receiver, r.Status, r.Path, r.Time)
			}
			if !slices.Equal(r.Firing, []string{"VoiceMediaCoreDown"}) || !slices.Equal(r.Resolved, []string{"ProbeTURNFailing"}) {
				t.Errorf("firing %v resolved %v, want [VoiceMediaCoreDown] [ProbeTURNFailing]", r.Firing, r.Resolved)
			}
			if got := r.Notification.Alerts[0].Annotations["runbook_url"]; !strings.HasSuffix(got, "voice-media-core-down.md") {
				t.Errorf("the logged notification lost the runbook_url: %q", got)
			}
			if len(notified) != 1 || notified[0].Receiver != "pager" {
				t.Errorf("notify func got %v", notified)
			}
		})
	}
}

// lockedBuffer is a bytes.Buffer safe for a writer and a reader in different
// goroutines.
type lockedBuffer struct {
	mu chan struct{}
	b  bytes.Buffer
}

func newLockedBuffer() *lockedBuffer { return &lockedBuffer{mu: make(chan struct{}, 1)} }

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu <- struct{}{}
	defer func() { <-l.mu }()
	return l.b.Write(p)
}

func (l *lockedBuffer) Bytes() []byte {
	l.mu <- struct{}{}
	defer func() { <-l.mu }()
	return bytes.Clone(l.b.Bytes())
}

// startReceive serves a Receiver on 127.0.0.1:0 as `agent alerts receive`
// does and returns its base URL, its stdout and stderr, and a stop function
// that returns Serve's error.
func startReceive(t *testing.T) (baseURL string, stdout *lockedBuffer, stderr *lockedBuffer, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	stdout, stderr = newLockedBuffer(), newLockedBuffer()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	go func() { // owner: the test; exits when ctx is cancelled
		done <- NewReceiver(stdout, ReceiverConfig{}, WithReceiverLogger(logger)).Serve(ctx, ln)
	}()
	stop = func() error { cancel(); return <-done }
	return "http://" + ln.Addr().String(), stdout, stderr, stop
}

func TestReceive(t *testing.T) {
	base, stdout, stderr, stop := startReceive(t)
	const secret = "Bearer s3cr3t-pager-token"
	req, err := http.NewRequest(http.MethodPost, base+"/pager", bytes.NewReader(readFixture(t, "webhook-firing.json")))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /pager: %s", resp.Status)
	}
	if err := stop(); err != nil {
		t.Fatalf("receive returned %v after cancel, want nil", err)
	}
	out := stdout.Bytes()
	recs := decodeLines(t, out)
	if len(recs) != 1 || recs[0].Receiver != "pager" || !slices.Equal(recs[0].Firing, []string{"VoiceMediaCoreDown"}) {
		t.Fatalf("stdout = %s, want one line for receiver pager firing VoiceMediaCoreDown", out)
	}
	if bytes.Contains(out, []byte("s3cr3t")) || bytes.Contains(stderr.Bytes(), []byte("s3cr3t")) {
		t.Error("the Authorization header leaked into the output")
	}
}
