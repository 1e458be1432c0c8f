package transcribetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream/eventstreamapi"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

var requestIDs atomic.Int64

// serveHTTP handles POST /stream-transcription.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/stream-transcription" {
		writeError(w, http.StatusNotFound, "UnknownOperationException", "unknown operation "+r.Method+" "+r.URL.Path)
		return
	}
	if r.ProtoMajor != 2 {
		writeError(w, http.StatusBadRequest, "BadRequestException", "StartStreamTranscription requires HTTP/2")
		return
	}
	text, fault, rec := s.next()
	reject := func(status int, code, msg string) {
		s.update(rec, func(q *Request) { q.Rejected = code })
		writeError(w, status, code, msg)
	}
	h := r.Header
	rate, _ := strconv.Atoi(h.Get("X-Amzn-Transcribe-Sample-Rate"))
	s.update(rec, func(q *Request) {
		q.LanguageCode = h.Get("X-Amzn-Transcribe-Language-Code")
		q.MediaEncoding = h.Get("X-Amzn-Transcribe-Media-Encoding")
		q.SampleRate = rate
	})
	seed, status, code, msg := verifyRequest(r)
	if code != "" {
		reject(status, code, msg)
		return
	}
	if bad := checkParams(h, rate); bad != "" {
		reject(http.StatusBadRequest, "BadRequestException", bad)
		return
	}
	switch fault {
	case FaultBadRequest:
		reject(http.StatusBadRequest, "BadRequestException", "The request is invalid (injected).")
		return
	case FaultThrottle:
		reject(http.StatusTooManyRequests, "LimitExceededException", "You have exceeded the maximum number of concurrent transcription streams.")
		return
	case FaultInternal:
		reject(http.StatusInternalServerError, "InternalFailureException", "An internal error occurred (injected).")
		return
	case FaultUnavailable:
		reject(http.StatusServiceUnavailable, "ServiceUnavailableException", "The service is currently unavailable (injected).")
		return
	case FaultAuth:
		reject(http.StatusForbidden, "UnrecognizedClientException", "The security token included in the request is invalid.")
		return
	case FaultHang:
		s.update(rec, func(q *Request) { q.Rejected = "hang" })
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		return
	}

	w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
	w.Header().Set("X-Amzn-Request-Id", fmt.Sprintf("req-%d", requestIDs.Add(1)))
	w.Header().Set("X-Amzn-Transcribe-Language-Code", rec.LanguageCode)
	w.Header().Set("X-Amzn-Transcribe-Media-Encoding", rec.MediaEncoding)
	w.Header().Set("X-Amzn-Transcribe-Sample-Rate", strconv.Itoa(rate))
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	_ = rc.EnableFullDuplex()

	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	in := make(chan inbound)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.readEvents(ctx, r.Body, seed, in)
	}()
	out := responder{w: w, rc: rc, enc: eventstream.NewEncoder()}
	timeout := time.NewTimer(s.noAudioTimeout)
	defer timeout.Stop()
	events := 0
	resultID := fmt.Sprintf("result-%d", requestIDs.Add(1))
	for {
		select {
		case <-s.closing:
			return
		case <-ctx.Done():
			return
		case <-timeout.C:
			if fault == FaultHangAfterHeaders {
				continue
			}
			s.update(rec, func(q *Request) { q.Rejected = "timeout" })
			out.exception("BadRequestException", TimeoutMessage)
			return
		case m, ok := <-in:
			if !ok {
				if fault == FaultHangAfterHeaders {
					in = nil // keep the response open until the client gives up
					continue
				}
				return // the body ended or failed
			}
			if m.violation != "" {
				s.update(rec, func(q *Request) { q.Violations = append(q.Violations, m.violation) })
				out.exception("BadRequestException", m.violation)
				return
			}
			if m.end {
				if fault == FaultHangAfterHeaders {
					s.update(rec, func(q *Request) { q.Rejected = "hang" })
					continue
				}
				s.update(rec, func(q *Request) {
					q.Ended = true
					if q.MediaEncoding == "ogg-opus" {
						n, err := checkOgg(q.Audio)
						q.OggPackets = n
						if err != nil {
							q.Violations = append(q.Violations, err.Error())
						}
					}
				})
				if text != "" {
					out.transcript(resultID, text, false)
				}
				return
			}
			events++
			timeout.Reset(s.noAudioTimeout)
			s.update(rec, func(q *Request) {
				q.AudioEvents++
				q.Audio = append(q.Audio, m.audio...)
			})
			if fault == FaultStreamException {
				s.update(rec, func(q *Request) { q.Rejected = "InternalFailureException" })
				out.exception("InternalFailureException", "An internal error occurred (injected mid-stream).")
				return
			}
			if text != "" && fault != FaultHangAfterHeaders && events%s.partialEvery == 0 {
				out.transcript(resultID, words(text, events/s.partialEvery), true)
			}
		}
	}
}

// inbound is one decoded request event: audio, the end frame, or a
// protocol violation.
type inbound struct {
	audio     []byte
	end       bool
	violation string
}

// readEvents decodes the signed envelopes of the request body, verifies
// each chunk signature and passes the AudioEvents on.
func (s *Server) readEvents(ctx context.Context, body io.Reader, seed []byte, in chan<- inbound) {
	defer close(in)
	creds := aws.Credentials{AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey}
	signer := v4.NewStreamSigner(creds, "transcribe", Region, seed)
	dec := eventstream.NewDecoder()
	send := func(m inbound) bool {
		select {
		case in <- m:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		env, err := dec.Decode(body, nil)
		if err != nil {
			return // EOF after the end frame, or the client went away
		}
		if v := checkChunkSignature(signer, env); v != "" {
			send(inbound{violation: v})
			return
		}
		if len(env.Payload) == 0 {
			send(inbound{end: true})
			return
		}
		msg, err := eventstream.NewDecoder().Decode(bytes.NewReader(env.Payload), nil)
		if err != nil {
			send(inbound{violation: "undecodable event in the envelope: " + err.Error()})
			return
		}
		if v := checkAudioEvent(msg); v != "" {
			send(inbound{violation: v})
			return
		}
		if !send(inbound{audio: msg.Payload}) {
			return
		}
	}
}

func checkAudioEvent(m eventstream.Message) string {
	get := func(name string) string {
		if v := m.Headers.Get(name); v != nil {
			return v.String()
		}
		return ""
	}
	switch {
	case get(eventstreamapi.MessageTypeHeader) != "event":
		return "AudioStream message without :message-type event"
	case get(eventstreamapi.EventTypeHeader) != "AudioEvent":
		return "unknown event type " + strconv.Quote(get(eventstreamapi.EventTypeHeader))
	case get(eventstreamapi.ContentTypeHeader) != "application/octet-stream":
		return "AudioEvent without :content-type application/octet-stream"
	}
	return ""
}

// responder writes response events.
type responder struct {
	w   io.Writer
	rc  *http.ResponseController
	enc *eventstream.Encoder
}

func (o responder) write(m eventstream.Message) {
	if err := o.enc.Encode(o.w, m); err == nil {
		_ = o.rc.Flush()
	}
}

// transcript sends a TranscriptEvent with one result.
func (o responder) transcript(id, text string, partial bool) {
	type alt struct {
		Items      []any  `json:"Items"`
		Transcript string `json:"Transcript"`
	}
	type res struct {
		Alternatives []alt   `json:"Alternatives"`
		ChannelId    string  `json:"ChannelId"`
		EndTime      float64 `json:"EndTime"`
		IsPartial    bool    `json:"IsPartial"`
		ResultId     string  `json:"ResultId"`
		StartTime    float64 `json:"StartTime"`
	}
	var ev struct {
		Transcript struct {
			Results []res `json:"Results"`
		} `json:"Transcript"`
	}
	ev.Transcript.Results = []res{{Alternatives: []alt{{Items: []any{}, Transcript: text}}, ChannelId: "ch_0", IsPartial: partial, ResultId: id}}
	payload, _ := json.Marshal(ev)
	var m eventstream.Message
	m.Headers.Set(eventstreamapi.MessageTypeHeader, eventstream.StringValue("event"))
	m.Headers.Set(eventstreamapi.EventTypeHeader, eventstream.StringValue("TranscriptEvent"))
	m.Headers.Set(eventstreamapi.ContentTypeHeader, eventstream.StringValue("application/json"))
	m.Payload = payload
	o.write(m)
}

// exception sends an exception event, as the service does mid-stream.
func (o responder) exception(code, msg string) {
	payload, _ := json.Marshal(map[string]string{"Message": msg})
	var m eventstream.Message
	m.Headers.Set(eventstreamapi.MessageTypeHeader, eventstream.StringValue("exception"))
	m.Headers.Set(eventstreamapi.ExceptionTypeHeader, eventstream.StringValue(code))
	m.Headers.Set(eventstreamapi.ContentTypeHeader, eventstream.StringValue("application/json"))
	m.Payload = payload
	o.write(m)
}

// writeError answers an HTTP error the REST-JSON way.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", code+":http://internal.amazon.com/coral/com.amazonaws.transcribe/")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}
