package awstest

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
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

// withInput decodes an operation's request with decode, the service's
// decoder into the SDK input type, and runs op on the input: the start
// every operation of the JSON and CBOR servers shares.
func withInput[B, T any](body B, decode func(B) (*T, *APIError), op func(*T) (any, *APIError)) (any, *APIError) {
	in, apiErr := decode(body)
	if apiErr != nil {
		return nil, apiErr
	}
	return op(in)
}

// pageOf returns the page of all that starts at the offset token names (nil
// for the first page), at most size items and never nil, and the token of
// the next page (nil after the last): the opaque nextToken of the List and
// Describe operations. ok is false when token is not an offset into all;
// the caller answers with its service's error.
func pageOf[E any](all []E, token *string, size int) (page []E, next *string, ok bool) {
	start := 0
	if token != nil {
		n, err := strconv.Atoi(*token)
		if err != nil || n < 0 || n > len(all) {
			return nil, nil, false
		}
		start = n
	}
	end := min(start+size, len(all))
	page = all[start:end]
	if page == nil {
		page = []E{}
	}
	if end < len(all) {
		next = aws.String(strconv.Itoa(end))
	}
	return page, next, true
}
