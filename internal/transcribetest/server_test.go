package transcribetest

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// h2cClient speaks HTTP/2 with prior knowledge, as the adapter does.
func h2cClient() *http.Client {
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: p}}
}

func TestRejectsUnsignedRequests(t *testing.T) {
	srv := New(t)
	tests := []struct {
		name   string
		auth   string
		status int
		code   string
	}{
		{"no authorization", "", http.StatusForbidden, "MissingAuthenticationTokenException"},
		{"unknown key", "AWS4-HMAC-SHA256 Credential=AKIDOTHER/20250101/us-east-1/transcribe/aws4_request, SignedHeaders=host, Signature=00",
			http.StatusForbidden, "UnrecognizedClientException"},
		{"bad signature", "AWS4-HMAC-SHA256 Credential=" + AccessKeyID + "/20250101/us-east-1/transcribe/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
			http.StatusForbidden, "InvalidSignatureException"},
	}
	client := h2cClient()
	defer client.CloseIdleConnections()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/stream-transcription", strings.NewReader(""))
			req.Header.Set("Authorization", tt.auth)
			req.Header.Set("X-Amz-Date", "20250101T000000Z")
			req.Header.Set("X-Amz-Content-Sha256", streamingPayload)
			req.Header.Set("Content-Type", "application/vnd.amazon.eventstream")
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]string
			_ = json.NewDecoder(resp.Body).Decode(&body)
			code, _, _ := strings.Cut(resp.Header.Get("X-Amzn-ErrorType"), ":")
			if resp.StatusCode != tt.status || code != tt.code || body["message"] == "" {
				t.Errorf("got %d %q %q, want %d %s", resp.StatusCode, code, body["message"], tt.status, tt.code)
			}
		})
	}
}

func TestCheckOgg(t *testing.T) {
	// A minimal valid stream: OpusHead page, OpusTags page, one audio page.
	page := func(flags byte, seq byte, pkt []byte) []byte {
		p := []byte("OggS")
		p = append(p, 0, flags, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, seq, 0, 0, 0, 0, 0, 0, 0, 1, byte(len(pkt)))
		p = append(p, pkt...)
		var c uint32
		for _, x := range p {
			c = c<<8 ^ oggTable[byte(c>>24)^x]
		}
		p[22], p[23], p[24], p[25] = byte(c), byte(c>>8), byte(c>>16), byte(c>>24)
		return p
	}
	head := append([]byte("OpusHead"), 1, 1, 0, 15, 0x80, 0xbb, 0, 0, 0, 0, 0)
	tags := append([]byte("OpusTags"), 0, 0, 0, 0, 0, 0, 0, 0)
	good := append(append(page(2, 0, head), page(0, 1, tags)...), page(0, 2, []byte{0x78, 1, 2, 3})...)
	if n, err := checkOgg(good); err != nil || n != 1 {
		t.Fatalf("valid stream: %d packets, %v", n, err)
	}
	bad := append([]byte(nil), good...)
	bad[len(bad)-1] ^= 0xff
	if _, err := checkOgg(bad); err == nil || !strings.Contains(err.Error(), "bad CRC") {
		t.Errorf("corrupted page: %v, want a CRC error", err)
	}
	if _, err := checkOgg(page(0, 0, head)); err == nil {
		t.Error("stream without BOS accepted")
	}
}
