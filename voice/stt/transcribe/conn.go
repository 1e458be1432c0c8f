package transcribe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// errAbandoned cancels a request the stream no longer needs.
var errAbandoned = errors.New("transcribe: request abandoned")

// conn is one StartStreamTranscription request: a writer goroutine sends
// signed audio events through a pipe into the HTTP/2 request body, a reader
// goroutine decodes the response stream into events for the stream's runner.
// Both exit when the request ends or its context is cancelled.
type conn struct {
	frames chan []byte // audio chunks; closed at the end of speech
	cancel context.CancelCauseFunc
}

// connEvent is what a request's reader reports to the runner.
type connEvent struct {
	c       *conn
	results []result
	err     error // terminal
	eof     bool  // terminal: the service ended the response normally
}

// maxChunks bounds the audio chunks of one request (and of an utterance's
// replay buffer): 300 × ChunkDuration, 30 s at the default.
const maxChunks = 300

// dial starts a request. It does no I/O itself: credentials, signing and the
// HTTP exchange run on the request's goroutines, owned by wg.
func (s *STT) dial(ctx context.Context, enc encoding, events chan<- connEvent, wg *sync.WaitGroup) *conn {
	cctx, cancel := context.WithCancelCause(ctx)
	c := &conn{frames: make(chan []byte, maxChunks+1), cancel: cancel}
	pr, pw := io.Pipe()
	stop := context.AfterFunc(cctx, func() { pr.CloseWithError(context.Cause(cctx)) })
	ready := make(chan *frameSigner, 1)
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer stop()
		s.write(cctx, c, pw, ready)
	}()
	go func() {
		defer wg.Done()
		defer cancel(errAbandoned)
		err := s.read(ctx, cctx, c, enc, pr, ready, events)
		if err == nil {
			return
		}
		select {
		case events <- connEvent{c: c, err: err}:
		case <-ctx.Done():
		}
	}()
	return c
}

// write sends the request body: one signed envelope per audio chunk, then
// the signed empty end frame when frames is closed.
func (s *STT) write(ctx context.Context, c *conn, pw *io.PipeWriter, ready <-chan *frameSigner) {
	var fs *frameSigner
	select {
	case fs = <-ready:
	case <-ctx.Done():
		pw.CloseWithError(context.Cause(ctx))
		return
	}
	var buf bytes.Buffer
	for {
		select {
		case chunk, ok := <-c.frames:
			buf.Reset()
			if !ok {
				if err := fs.end(&buf); err != nil {
					pw.CloseWithError(err)
					return
				}
				if _, err := pw.Write(buf.Bytes()); err == nil {
					_ = pw.Close()
				}
				return
			}
			if err := fs.audioEvent(&buf, chunk); err != nil {
				pw.CloseWithError(err)
				return
			}
			if _, err := pw.Write(buf.Bytes()); err != nil {
				return // the request failed; the reader reports why
			}
		case <-ctx.Done():
			pw.CloseWithError(context.Cause(ctx))
			return
		}
	}
}

// read signs and sends the request and decodes the response. It returns
// the request's terminal error, or nil once it reported the end of the
// response (or the stream no longer listens).
func (s *STT) read(ctx, cctx context.Context, c *conn, enc encoding, body io.Reader, ready chan<- *frameSigner, events chan<- connEvent) error {
	creds, err := s.creds.Retrieve(cctx)
	if err != nil {
		return &APIError{Code: "CredentialsUnavailable", Message: err.Error(), Status: http.StatusForbidden}
	}
	req, err := http.NewRequestWithContext(cctx, http.MethodPost, s.url, body)
	if err != nil {
		return fmt.Errorf("transcribe: build request: %w", err)
	}
	h := req.Header
	h.Set("Content-Type", eventStreamType)
	h.Set("X-Amz-Content-Sha256", streamingPayload)
	h.Set("X-Amz-Target", operationTarget)
	h.Set("X-Amzn-Transcribe-Language-Code", s.cfg.LanguageCode)
	h.Set("X-Amzn-Transcribe-Sample-Rate", strconv.Itoa(enc.rate))
	h.Set("X-Amzn-Transcribe-Media-Encoding", enc.name)
	signingTime := s.now()
	if err := s.signer.SignHTTP(cctx, creds, req, streamingPayload, signingName, s.cfg.Region, signingTime); err != nil {
		return fmt.Errorf("transcribe: sign request: %w", err)
	}
	seed, err := v4.GetSignedRequestSignature(req)
	if err != nil {
		return fmt.Errorf("transcribe: request signature: %w", err)
	}
	ready <- &frameSigner{
		enc:    eventstream.NewEncoder(),
		signer: v4.NewStreamSigner(creds, signingName, s.cfg.Region, seed),
		now:    s.now,
	}

	timer := time.AfterFunc(s.cfg.ConnectTimeout, func() { c.cancel(ErrConnectTimeout) })
	resp, err := s.client.Do(req)
	timer.Stop()
	if err != nil {
		return s.cause(ctx, cctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return httpError(resp)
	}
	dec := eventstream.NewDecoder()
	payload := make([]byte, 0, 4096)
	for {
		m, err := dec.Decode(resp.Body, payload[:0])
		if errors.Is(err, io.EOF) {
			select {
			case events <- connEvent{c: c, eof: true}:
			case <-ctx.Done():
			}
			return nil
		}
		if err != nil {
			return s.cause(ctx, cctx, err)
		}
		results, err := decodeMessage(m)
		if err != nil {
			return err
		}
		if len(results) == 0 {
			continue
		}
		select {
		case events <- connEvent{c: c, results: results}:
		case <-ctx.Done():
			return nil
		}
	}
}

// cause explains a transport error: our own timeouts, the stream going
// away (nil: nothing to report), or the error itself.
func (s *STT) cause(ctx, cctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	if cctx.Err() != nil {
		cause := context.Cause(cctx)
		if errors.Is(cause, errAbandoned) {
			return nil
		}
		return cause
	}
	return fmt.Errorf("transcribe: %w", err)
}

// httpError decodes an error response of the REST-JSON protocol: the code
// from X-Amzn-ErrorType (or the body's __type/code), the message from the
// body.
func httpError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var body struct {
		Type     string `json:"__type"`
		Code     string `json:"code"`
		Message  string `json:"message"`
		MessageU string `json:"Message"`
	}
	_ = json.Unmarshal(b, &body)
	code := resp.Header.Get("X-Amzn-ErrorType")
	if code == "" {
		code = body.Type
	}
	if code == "" {
		code = body.Code
	}
	code = sanitizeCode(code)
	msg := body.Message
	if msg == "" {
		msg = body.MessageU
	}
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	return &APIError{Code: code, Message: msg, Status: resp.StatusCode}
}

// sanitizeCode strips the "aws.protocols#" namespace and ":http://..."
// suffix forms of error codes, as the SDK's restjson.SanitizeErrorCode.
func sanitizeCode(code string) string {
	if i := strings.IndexByte(code, ':'); i >= 0 {
		code = code[:i]
	}
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	return code
}
