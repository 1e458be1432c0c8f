package transcribetest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream/eventstreamapi"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const streamingPayload = "STREAMING-AWS4-HMAC-SHA256-EVENTS"

// verifyRequest checks the SigV4 signature of the request by signing a
// copy of its signed headers with the SDK signer, and returns the
// signature, the seed of the chunk signatures. A failure returns the
// status, error code and message the service would answer.
func verifyRequest(r *http.Request) (seed []byte, status int, code, msg string) {
	auth := r.Header.Get("Authorization")
	const algo = "AWS4-HMAC-SHA256 "
	if !strings.HasPrefix(auth, algo) {
		return nil, http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token"
	}
	fields := map[string]string{}
	for _, p := range strings.Split(strings.TrimPrefix(auth, algo), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		fields[k] = v
	}
	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 5 || fields["SignedHeaders"] == "" || fields["Signature"] == "" {
		return nil, http.StatusForbidden, "IncompleteSignatureException", "Authorization header requires Credential, SignedHeaders and Signature."
	}
	if scope[0] != AccessKeyID {
		return nil, http.StatusForbidden, "UnrecognizedClientException", "The security token included in the request is invalid."
	}
	if scope[2] != Region || scope[3] != "transcribe" || scope[4] != "aws4_request" {
		return nil, http.StatusForbidden, "InvalidSignatureException", "Credential should be scoped to a valid region and service transcribe."
	}
	if r.Header.Get("X-Amz-Content-Sha256") != streamingPayload {
		return nil, http.StatusBadRequest, "BadRequestException", "x-amz-content-sha256 must be " + streamingPayload
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/vnd.amazon.eventstream" {
		return nil, http.StatusBadRequest, "BadRequestException", "Content-Type must be application/vnd.amazon.eventstream, got " + ct
	}
	t, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return nil, http.StatusForbidden, "IncompleteSignatureException", "X-Amz-Date is missing or malformed."
	}
	cp, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), nil)
	cp.Host = r.Host
	for _, name := range strings.Split(fields["SignedHeaders"], ";") {
		if name == "host" {
			continue
		}
		if vs := r.Header.Values(name); len(vs) > 0 {
			cp.Header[http.CanonicalHeaderKey(name)] = vs
		}
	}
	creds := aws.Credentials{AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, cp, streamingPayload, "transcribe", Region, t); err != nil {
		return nil, http.StatusInternalServerError, "InternalFailureException", err.Error()
	}
	want, _ := v4.GetSignedRequestSignature(cp)
	got, err := hex.DecodeString(fields["Signature"])
	if err != nil || !hmac.Equal(want, got) {
		return nil, http.StatusForbidden, "InvalidSignatureException",
			"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."
	}
	return got, 0, "", ""
}

// checkParams validates the StartStreamTranscription headers.
func checkParams(h http.Header, rate int) string {
	switch enc := h.Get("X-Amzn-Transcribe-Media-Encoding"); enc {
	case "pcm", "flac":
		if rate < 8000 || rate > 48000 {
			return fmt.Sprintf("sample rate %d is outside 8000-48000", rate)
		}
	case "ogg-opus":
		if rate != 48000 && rate != 8000 && rate != 16000 && rate != 24000 && rate != 12000 {
			return fmt.Sprintf("sample rate %d is not an Opus rate", rate)
		}
	default:
		return "media encoding must be pcm, ogg-opus or flac, got " + enc
	}
	if h.Get("X-Amzn-Transcribe-Language-Code") == "" && h.Get("X-Amzn-Transcribe-Identify-Language") == "" {
		return "a language code or language identification is required"
	}
	return ""
}

// checkChunkSignature verifies an envelope's :chunk-signature against the
// chain of signatures.
func checkChunkSignature(signer *v4.StreamSigner, env eventstream.Message) string {
	date, ok := env.Headers.Get(eventstreamapi.DateHeader).(*eventstream.TimestampValue)
	var t time.Time
	if ok && date != nil {
		t = time.Time(*date)
	} else if tv, ok := env.Headers.Get(eventstreamapi.DateHeader).(eventstream.TimestampValue); ok {
		t = time.Time(tv)
	} else {
		return "event envelope without a :date header"
	}
	sig, ok := env.Headers.Get(eventstreamapi.ChunkSignatureHeader).(eventstream.BytesValue)
	if !ok {
		return "event envelope without a :chunk-signature header"
	}
	var hdr eventstream.Headers
	hdr.Set(eventstreamapi.DateHeader, eventstream.TimestampValue(t))
	var buf bytes.Buffer
	if err := eventstream.EncodeHeaders(&buf, hdr); err != nil {
		return err.Error()
	}
	want, _ := signer.GetSignature(context.Background(), buf.Bytes(), env.Payload, t)
	if !hmac.Equal(want, sig) {
		return "chunk signature does not match"
	}
	return ""
}

var oggTable = func() (t [256]uint32) {
	for i := range t {
		r := uint32(i) << 24
		for range 8 {
			if r&0x80000000 != 0 {
				r = r<<1 ^ 0x04c11db7
			} else {
				r <<= 1
			}
		}
		t[i] = r
	}
	return t
}()

// checkOgg parses an Ogg Opus stream (RFC 3533 pages, RFC 7845 headers) and
// counts its audio packets.
func checkOgg(b []byte) (packets int, err error) {
	var pkt []byte
	var n int // packets seen including headers
	for page := 0; len(b) > 0; page++ {
		if len(b) < 27 || string(b[:4]) != "OggS" {
			return packets, fmt.Errorf("ogg: page %d: no capture pattern", page)
		}
		nseg := int(b[26])
		if len(b) < 27+nseg {
			return packets, fmt.Errorf("ogg: page %d: truncated segment table", page)
		}
		size := 0
		for _, l := range b[27 : 27+nseg] {
			size += int(l)
		}
		end := 27 + nseg + size
		if len(b) < end {
			return packets, fmt.Errorf("ogg: page %d: truncated", page)
		}
		crc := binary.LittleEndian.Uint32(b[22:26])
		p := append([]byte(nil), b[:end]...)
		copy(p[22:26], []byte{0, 0, 0, 0})
		var c uint32
		for _, x := range p {
			c = c<<8 ^ oggTable[byte(c>>24)^x]
		}
		if c != crc {
			return packets, fmt.Errorf("ogg: page %d: bad CRC", page)
		}
		if page == 0 && b[5]&0x02 == 0 {
			return packets, errors.New("ogg: first page is not a beginning-of-stream page")
		}
		data := b[27+nseg : end]
		for _, l := range b[27 : 27+nseg] {
			pkt = append(pkt, data[:l]...)
			data = data[l:]
			if l < 255 {
				switch {
				case n == 0 && !bytes.HasPrefix(pkt, []byte("OpusHead")):
					return packets, errors.New("ogg: first packet is not OpusHead")
				case n == 1 && !bytes.HasPrefix(pkt, []byte("OpusTags")):
					return packets, errors.New("ogg: second packet is not OpusTags")
				case n >= 2:
					packets++
				}
				n++
				pkt = nil
			}
		}
		b = b[end:]
	}
	return packets, nil
}
