package transcribe

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream/eventstreamapi"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// frameSigner wraps AudioEvent messages in signed envelopes, the way the
// SDK's event-stream writer does: the envelope's payload is the encoded
// event, its headers are :date and :chunk-signature, and each signature
// chains on the previous one, starting from the request's SigV4 signature.
type frameSigner struct {
	enc    *eventstream.Encoder
	signer v4.EventStreamSigner
	now    func() time.Time
	inner  bytes.Buffer
	hdr    bytes.Buffer
}

// audioEvent appends the signed envelope of one AudioEvent to dst.
func (f *frameSigner) audioEvent(dst *bytes.Buffer, chunk []byte) error {
	f.inner.Reset()
	msg := eventstream.Message{Payload: chunk}
	msg.Headers.Set(eventstreamapi.MessageTypeHeader, eventstream.StringValue(eventstreamapi.EventMessageType))
	msg.Headers.Set(eventstreamapi.EventTypeHeader, eventstream.StringValue("AudioEvent"))
	msg.Headers.Set(eventstreamapi.ContentTypeHeader, eventstream.StringValue("application/octet-stream"))
	if err := f.enc.Encode(&f.inner, msg); err != nil {
		return fmt.Errorf("transcribe: encode audio event: %w", err)
	}
	return f.envelope(dst, f.inner.Bytes())
}

// end appends the signed empty message that ends the audio stream.
func (f *frameSigner) end(dst *bytes.Buffer) error { return f.envelope(dst, []byte{}) }

func (f *frameSigner) envelope(dst *bytes.Buffer, payload []byte) error {
	date := f.now().UTC()
	var env eventstream.Message
	env.Headers.Set(eventstreamapi.DateHeader, eventstream.TimestampValue(date))
	env.Payload = payload
	f.hdr.Reset()
	if err := eventstream.EncodeHeaders(&f.hdr, env.Headers); err != nil {
		return fmt.Errorf("transcribe: encode envelope headers: %w", err)
	}
	sig, err := f.signer.GetSignature(context.Background(), f.hdr.Bytes(), payload, date)
	if err != nil {
		return fmt.Errorf("transcribe: sign audio event: %w", err)
	}
	env.Headers.Set(eventstreamapi.ChunkSignatureHeader, eventstream.BytesValue(sig))
	if err := f.enc.Encode(dst, env); err != nil {
		return fmt.Errorf("transcribe: encode envelope: %w", err)
	}
	return nil
}

// transcriptEvent is the TranscriptEvent payload (the fields we use).
type transcriptEvent struct {
	Transcript struct {
		Results []struct {
			ResultID     string `json:"ResultId"`
			IsPartial    bool   `json:"IsPartial"`
			Alternatives []struct {
				Transcript string `json:"Transcript"`
			} `json:"Alternatives"`
		} `json:"Results"`
	} `json:"Transcript"`
}

// result is one recognition result of a TranscriptEvent.
type result struct {
	id      string
	text    string
	partial bool
}

// decodeMessage turns one response message into results or an error.
func decodeMessage(m eventstream.Message) ([]result, error) {
	typ := headerString(m, eventstreamapi.MessageTypeHeader)
	switch typ {
	case eventstreamapi.EventMessageType:
		if et := headerString(m, eventstreamapi.EventTypeHeader); et != "TranscriptEvent" {
			return nil, nil // other event types are ignored, as the SDK's unknown-event handling allows
		}
		var ev transcriptEvent
		if err := json.Unmarshal(m.Payload, &ev); err != nil {
			return nil, fmt.Errorf("transcribe: decode TranscriptEvent: %w", err)
		}
		var out []result
		for _, r := range ev.Transcript.Results {
			if len(r.Alternatives) == 0 {
				continue
			}
			out = append(out, result{id: r.ResultID, text: r.Alternatives[0].Transcript, partial: r.IsPartial})
		}
		return out, nil
	case eventstreamapi.ExceptionMessageType:
		var body struct {
			Message string `json:"Message"`
		}
		_ = json.Unmarshal(m.Payload, &body)
		return nil, &APIError{Code: headerString(m, eventstreamapi.ExceptionTypeHeader), Message: body.Message}
	case eventstreamapi.ErrorMessageType:
		return nil, &APIError{Code: headerString(m, eventstreamapi.ErrorCodeHeader), Message: headerString(m, eventstreamapi.ErrorMessageHeader)}
	}
	return nil, fmt.Errorf("transcribe: unknown message type %q", typ)
}

func headerString(m eventstream.Message, name string) string {
	if v := m.Headers.Get(name); v != nil {
		return v.String()
	}
	return ""
}
