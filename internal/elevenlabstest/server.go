// Package elevenlabstest is an in-process ElevenLabs text-to-speech server
// for tests. It speaks the WebSocket stream-input protocol
// (/v1/text-to-speech/{voice_id}/stream-input) on 127.0.0.1: JSON text
// messages in, {"audio": base64, "isFinal": ...} frames out, with μ-law
// audio (a tone whose length follows the text) when output_format is
// ulaw_8000. It records every client message and fails the way the real
// service does: a 1008 policy-violation close when voice_settings change
// after the first message, quota and invalid-key error frames, 429 and 5xx
// on the handshake, a hung connection, a dropped or stalled stream, and the inactivity
// timeout.
package elevenlabstest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Failure selects how the server misbehaves for new connections.
type Failure int

// Failures the server can inject; each mirrors a documented behaviour of the
// real service.
const (
	// FailNone serves audio.
	FailNone Failure = iota
	// FailQuota answers the first text with a quota_exceeded error frame and
	// closes with 1008.
	FailQuota
	// FailAuth rejects the API key with an invalid_api_key error frame and a
	// 1008 close (the key is checked with the first message).
	FailAuth
	// FailThrottle refuses the handshake with 429 too_many_concurrent_requests.
	FailThrottle
	// FailServerError refuses the handshake with 500.
	FailServerError
	// FailHang accepts the connection and never answers.
	FailHang
	// FailDrop sends the first audio frame, then drops the TCP connection.
	FailDrop
	// FailStall sends the first audio frame, then nothing more.
	FailStall
)

// Config configures the server. Zero fields take the documented defaults.
type Config struct {
	// APIKey is the accepted key (header xi-api-key or field xi_api_key).
	// Empty accepts any non-empty key.
	APIKey string
	// FirstByteDelay delays the first audio frame of each generation.
	// Default 0.
	FirstByteDelay time.Duration
	// MsPerChar is how much audio each character of text produces.
	// Default 10 (so "hello world" is 110 ms).
	MsPerChar int
	// FrameMs is the audio carried by one frame. Default 100.
	FrameMs int
	// InactivityTimeout closes a connection that sends no text for this
	// long with the real service's 1008 message. Default 20s, like the API.
	InactivityTimeout time.Duration
}

// Message is one client message as received.
type Message struct {
	Conn   int             // 1 for the first connection
	Index  int             // 1 for the first message of the connection
	Raw    json.RawMessage // the message as sent
	Fields map[string]any  // the decoded top-level fields
}

// Has reports whether the message carries the top-level field name.
func (m Message) Has(name string) bool { _, ok := m.Fields[name]; return ok }

// Server is a running test server. Close it when done.
type Server struct {
	cfg  Config
	http *httptest.Server
	done chan struct{}
	wg   sync.WaitGroup

	mu        sync.Mutex
	failure   Failure
	firstByte time.Duration
	messages  []Message
	conns     int
	handshake int
	closes    []CloseRecord
}

// CloseRecord is how the server ended a connection with an error.
type CloseRecord struct {
	Conn   int
	Code   websocket.StatusCode
	Reason string
}

// Reasons the real service closes with (1008 policy violation).
const (
	ReasonVoiceSettings = "voice_settings field must be provided in the first message and then either be not provided or not change."
	ReasonInactivity    = "Have not received a new text input within the timeout of 20 seconds. Streaming input terminated. Please make sure to either feed the input in the timely manner, or to send the end of input text (empty string \"\") when done."
)

// New starts a server on 127.0.0.1.
func New(cfg Config) *Server {
	if cfg.MsPerChar == 0 {
		cfg.MsPerChar = 10
	}
	if cfg.FrameMs == 0 {
		cfg.FrameMs = 100
	}
	if cfg.InactivityTimeout == 0 {
		cfg.InactivityTimeout = 20 * time.Second
	}
	s := &Server{cfg: cfg, done: make(chan struct{}), firstByte: cfg.FirstByteDelay}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/text-to-speech/{voice}/stream-input", s.serve)
	s.http = httptest.NewServer(mux)
	return s
}

// URL is the base URL to configure the adapter with (ws://127.0.0.1:port).
func (s *Server) URL() string { return "ws" + strings.TrimPrefix(s.http.URL, "http") }

// SetFailure changes how new connections are served.
func (s *Server) SetFailure(f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failure = f
}

// SetFirstByteDelay changes the first-byte delay of new generations.
func (s *Server) SetFirstByteDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.firstByte = d
}

// Messages returns every client message received so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Connections returns the number of WebSocket connections accepted.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// Handshakes returns the number of handshake requests, accepted or not.
func (s *Server) Handshakes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.handshake
}

// Closes returns the error closes the server sent.
func (s *Server) Closes() []CloseRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CloseRecord(nil), s.closes...)
}

// Close stops the server, ending hung and open connections, and waits for
// its goroutines.
func (s *Server) Close() {
	select {
	case <-s.done:
	default:
		close(s.done)
	}
	s.http.Close()
	s.wg.Wait()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.wg.Add(1)
	defer s.wg.Done()
	s.mu.Lock()
	s.handshake++
	failure, firstByte := s.failure, s.firstByte
	s.mu.Unlock()
	switch failure {
	case FailThrottle:
		httpError(w, http.StatusTooManyRequests, "too_many_concurrent_requests",
			"You have too many concurrent requests. Please try again later.")
		return
	case FailServerError:
		httpError(w, http.StatusInternalServerError, "internal_error", "An internal error occurred.")
		return
	}
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	s.mu.Lock()
	s.conns++
	id := s.conns
	s.mu.Unlock()
	// The connection lives until the client is done or the server closes.
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go func() {
		select {
		case <-s.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	sess := &stream{srv: s, c: c, id: id, failure: failure, firstByte: firstByte,
		format: r.URL.Query().Get("output_format"), headerKey: r.Header.Get("xi-api-key")}
	sess.run(ctx)
}

func httpError(w http.ResponseWriter, code int, status, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"detail": map[string]string{"status": status, "message": msg}})
}
