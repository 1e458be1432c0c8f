package transcribetest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Test credentials and region the server accepts.
const (
	AccessKeyID     = "AKIDTRANSCRIBETEST"
	SecretAccessKey = "transcribetest-secret-key"
	Region          = "us-east-1"
)

// TimeoutMessage is the service's no-audio timeout message.
const TimeoutMessage = "Your request timed out because no new audio was received for 15 seconds."

// Fault is a failure injected into the next request.
type Fault int

// Faults the server can inject, one per request, in the order queued.
const (
	// FaultBadRequest answers HTTP 400 BadRequestException.
	FaultBadRequest Fault = iota + 1
	// FaultThrottle answers HTTP 429 LimitExceededException.
	FaultThrottle
	// FaultInternal answers HTTP 500 InternalFailureException.
	FaultInternal
	// FaultUnavailable answers HTTP 503 ServiceUnavailableException.
	FaultUnavailable
	// FaultAuth answers HTTP 403 UnrecognizedClientException.
	FaultAuth
	// FaultHang accepts the request and never answers it.
	FaultHang
	// FaultHangAfterHeaders answers 200, reads the audio and never sends a
	// result nor ends the response.
	FaultHangAfterHeaders
	// FaultStreamException answers 200, then an InternalFailureException
	// event after the first audio event.
	FaultStreamException
)

// Request is what the server saw of one StartStreamTranscription request.
type Request struct {
	LanguageCode  string
	MediaEncoding string
	SampleRate    int
	// AudioEvents and Audio are the AudioEvent messages and their bytes.
	AudioEvents int
	Audio       []byte
	// Ended is set when the client sent the signed empty end frame.
	Ended bool
	// OggPackets counts the Opus audio packets of an ogg-opus stream
	// (headers excluded), once the stream ended.
	OggPackets int
	// Rejected is the error code the server answered with, if any.
	Rejected string
	// Violations lists protocol errors the server found (bad chunk
	// signatures, malformed Ogg pages...); a correct client has none.
	Violations []string
}

// Server is the test endpoint. Create it with New.
type Server struct {
	// URL is the endpoint, e.g. http://127.0.0.1:40123.
	URL string

	noAudioTimeout time.Duration
	partialEvery   int
	srv            *http.Server
	ln             net.Listener
	closing        chan struct{}
	closeOnce      sync.Once
	wg             sync.WaitGroup

	mu       sync.Mutex
	texts    []string
	faults   []Fault
	requests []*Request
	notify   chan struct{}
}

// Option configures New.
type Option func(*Server)

// WithNoAudioTimeout sets the no-audio timeout (default 15s).
func WithNoAudioTimeout(d time.Duration) Option { return func(s *Server) { s.noAudioTimeout = d } }

// WithPartialEvery sends a partial result after every n audio events
// (default 1).
func WithPartialEvery(n int) Option { return func(s *Server) { s.partialEvery = n } }

// New starts a server on 127.0.0.1 and closes it when the test ends.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := &Server{noAudioTimeout: 15 * time.Second, partialEvery: 1, closing: make(chan struct{}), notify: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("transcribetest: listen: %v", err)
	}
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	s.ln = ln
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serveHTTP), Protocols: p, ReadHeaderTimeout: 5 * time.Second}
	s.URL = "http://" + ln.Addr().String()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = s.srv.Serve(ln)
	}()
	tb.Cleanup(s.Close)
	return s
}

// Credentials returns a provider of the credentials the server accepts.
func (s *Server) Credentials() aws.CredentialsProvider {
	return StaticCredentials(AccessKeyID, SecretAccessKey)
}

// StaticCredentials returns a provider of fixed credentials.
func StaticCredentials(id, secret string) aws.CredentialsProvider {
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, Source: "transcribetest"}, nil
	})
}

// Say queues the transcripts of the next requests, one per request (one
// utterance each); a request with none queued hears nothing.
func (s *Server) Say(texts ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.texts = append(s.texts, texts...)
}

// Fail queues faults for the next requests, one per request.
func (s *Server) Fail(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faults...)
}

// Requests returns copies of the requests seen so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = *r
		out[i].Audio = append([]byte(nil), r.Audio...)
		out[i].Violations = append([]string(nil), r.Violations...)
	}
	return out
}

// WaitRequests waits until n requests have finished, or ctx ends.
func (s *Server) WaitRequests(ctx context.Context, n int) ([]Request, error) {
	for {
		s.mu.Lock()
		done := 0
		for _, r := range s.requests {
			if r.Rejected != "" || r.Ended || len(r.Violations) > 0 {
				done++
			}
		}
		ch := s.notify
		s.mu.Unlock()
		if done >= n {
			return s.Requests(), nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return s.Requests(), fmt.Errorf("transcribetest: %d of %d requests finished: %w", done, n, ctx.Err())
		}
	}
}

// changed wakes WaitRequests; call with s.mu held.
func (s *Server) changed() {
	close(s.notify)
	s.notify = make(chan struct{})
}

// Close stops the server, releasing hung requests.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		_ = s.srv.Close() // connections too: a test server need not drain
		s.wg.Wait()
	})
}

func (s *Server) next() (text string, fault Fault, req *Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults) > 0 {
		fault, s.faults = s.faults[0], s.faults[1:]
	}
	// A failed request does not use up its utterance: the retry hears it.
	if len(s.texts) > 0 && fault == 0 {
		text, s.texts = s.texts[0], s.texts[1:]
	}
	req = &Request{}
	s.requests = append(s.requests, req)
	return text, fault, req
}

// update changes a recorded request under the lock.
func (s *Server) update(req *Request, f func(*Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(req)
	s.changed()
}

func words(text string, n int) string {
	w := strings.Fields(text)
	return strings.Join(w[:min(n, len(w))], " ")
}
