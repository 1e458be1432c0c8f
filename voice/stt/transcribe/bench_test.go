package transcribe

import (
	"bytes"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/voicewatch/voicewatch/voice/audio"
)

// 100 ms of 8 kHz PCM: one AudioEvent at the default chunk duration.
var benchPCM = func() []byte {
	var e pcmEncoder
	e.factor = 1
	var out []byte
	for range 5 {
		out = e.encode(out, audio.ToneULaw(440, 0.3, 20))
	}
	return out
}()

// BenchmarkAudioEventUnsigned is the baseline: the event-stream encoding
// of one AudioEvent without its signed envelope.
func BenchmarkAudioEventUnsigned(b *testing.B) {
	enc := eventstream.NewEncoder()
	var buf bytes.Buffer
	b.ReportAllocs()
	b.SetBytes(int64(len(benchPCM)))
	for b.Loop() {
		buf.Reset()
		msg := eventstream.Message{Payload: benchPCM}
		msg.Headers.Set(":message-type", eventstream.StringValue("event"))
		msg.Headers.Set(":event-type", eventstream.StringValue("AudioEvent"))
		msg.Headers.Set(":content-type", eventstream.StringValue("application/octet-stream"))
		if err := enc.Encode(&buf, msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAudioEventSigned is what the adapter sends per event: encoding
// plus the SigV4 chunk-signed envelope.
func BenchmarkAudioEventSigned(b *testing.B) {
	creds := aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret"}
	fs := &frameSigner{
		enc:    eventstream.NewEncoder(),
		signer: v4.NewStreamSigner(creds, signingName, "us-east-1", make([]byte, 32)),
		now:    func() time.Time { return time.Unix(1_700_000_000, 0) },
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	b.SetBytes(int64(len(benchPCM)))
	for b.Loop() {
		buf.Reset()
		if err := fs.audioEvent(&buf, benchPCM); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPCMUDecode is the media-side conversion of one 20 ms PCMU packet.
func BenchmarkPCMUDecode(b *testing.B) {
	e := pcmEncoder{factor: 1}
	pkt := audio.ToneULaw(440, 0.3, 20)
	dst := make([]byte, 0, 320)
	b.ReportAllocs()
	for b.Loop() {
		dst = e.encode(dst[:0], pkt)
	}
}

// BenchmarkOggPage is the Opus-side wrapping of one 20 ms packet.
func BenchmarkOggPage(b *testing.B) {
	var w oggOpus
	w.packet(nil, opusChunk) // the header pages, once
	dst := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		dst = w.packet(dst[:0], opusChunk)
	}
}
