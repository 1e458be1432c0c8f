package awstest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// server is what every test server embeds: its injectable faults, its HTTP
// server on 127.0.0.1 and its URL.
type server struct {
	*faults
	// URL is the base endpoint, e.g. http://127.0.0.1:43123.
	URL string
	srv *httptest.Server
}

// start serves h on 127.0.0.1 until the test ends.
func (s *server) start(tb testing.TB, h http.HandlerFunc) {
	s.faults = newFaults()
	s.srv = httptest.NewServer(h)
	s.URL = s.srv.URL
	tb.Cleanup(s.Close)
}

// Close releases held requests and stops the server. It is idempotent.
func (s *server) Close() {
	s.Clear()
	s.srv.Close()
}
