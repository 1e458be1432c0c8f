package transcribe

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/internal/transcribetest"
	"github.com/voicewatch/voicewatch/voice"
	"github.com/voicewatch/voicewatch/voice/audio"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// wait bounds every wait on an event in these tests.
const wait = 10 * time.Second

func newSTT(t *testing.T, srv *transcribetest.Server, cfg Config, opts ...Option) *STT {
	t.Helper()
	cfg.Endpoint = srv.URL
	cfg.Region = transcribetest.Region
	opts = append([]Option{WithCredentials(srv.Credentials())}, opts...)
	s, err := New(context.Background(), cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func start(t *testing.T, s *STT, codec voice.Codec) voice.STTStream {
	t.Helper()
	f := voice.AudioFormat{Codec: voice.CodecPCMU, SampleRate: 8000, Channels: 1}
	if codec == voice.CodecOpus {
		f = voice.AudioFormat{Codec: voice.CodecOpus, SampleRate: 48000, Channels: 2}
	}
	st, err := s.Start(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

var pcmuChunk = audio.ToneULaw(440, 0.3, 20) // 20 ms of PCMU

// opusChunk is a 20 ms Opus packet (TOC config 15, hybrid fullband 20 ms,
// one frame) with an arbitrary body: the adapter never decodes it.
var opusChunk = append([]byte{15 << 3}, []byte(strings.Repeat("\x5a", 60))...)

func speak(t *testing.T, st voice.STTStream, payload []byte, n int) {
	t.Helper()
	for range n {
		if err := st.Write(voice.Chunk{Payload: payload, Duration: 20 * time.Millisecond}); err != nil {
			t.Fatalf("Write: %v", err)
		}
	}
}

// final waits for the next final transcript, collecting partials.
func final(t *testing.T, st voice.STTStream) (voice.Transcript, []string) {
	t.Helper()
	var partials []string
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case tr, ok := <-st.Results():
			if !ok {
				t.Fatal("results closed before a final transcript")
			}
			if tr.Final {
				return tr, partials
			}
			partials = append(partials, tr.Text)
		case <-timer.C:
			t.Fatalf("no final transcript within %s (partials %q)", wait, partials)
		}
	}
}

// asyncError waits until the stream holds an error and takes it through
// EndOfSpeech, the way the media core sees it.
func asyncError(t *testing.T, st voice.STTStream) *voice.ProviderError {
	t.Helper()
	select {
	case <-st.(*stream).errReady:
	case <-time.After(wait):
		t.Fatalf("no error within %s", wait)
	}
	err := st.EndOfSpeech()
	var pe *voice.ProviderError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *voice.ProviderError", err, err)
	}
	if pe.Provider != ProviderName {
		t.Errorf("provider = %q, want %q", pe.Provider, ProviderName)
	}
	return pe
}

func TestPCMUPartialsThenFinal(t *testing.T) {
	srv := transcribetest.New(t)
	srv.Say("book a table for two")
	st := start(t, newSTT(t, srv, Config{LanguageCode: "en-GB"}), voice.CodecPCMU)

	speak(t, st, pcmuChunk, 25) // 500 ms: five 100 ms AudioEvents
	if err := st.EndOfSpeech(); err != nil {
		t.Fatalf("EndOfSpeech: %v", err)
	}
	tr, partials := final(t, st)
	if tr.Text != "book a table for two" {
		t.Errorf("final = %q", tr.Text)
	}
	if len(partials) == 0 || !strings.HasPrefix("book a table for two", partials[0]) {
		t.Errorf("partials = %q, want prefixes of the final", partials)
	}
	reqs, err := srv.WaitRequests(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	r := reqs[0]
	if r.MediaEncoding != "pcm" || r.SampleRate != 8000 || r.LanguageCode != "en-GB" {
		t.Errorf("request = %s %d %s, want pcm 8000 en-GB", r.MediaEncoding, r.SampleRate, r.LanguageCode)
	}
	if want := 25 * 160 * 2; len(r.Audio) != want {
		t.Errorf("service got %d bytes of PCM, want %d", len(r.Audio), want)
	}
	if r.AudioEvents != 5 || !r.Ended || len(r.Violations) > 0 {
		t.Errorf("events=%d ended=%v violations=%q", r.AudioEvents, r.Ended, r.Violations)
	}
	// The PCM is the decoded μ-law, little-endian.
	for i := range 160 {
		got := int16(uint16(r.Audio[2*i]) | uint16(r.Audio[2*i+1])<<8)
		if want := audio.DecodeULaw(pcmuChunk[i]); got != want {
			t.Fatalf("sample %d = %d, want %d", i, got, want)
		}
	}
}

func TestOpusSentAsOggOpus(t *testing.T) {
	srv := transcribetest.New(t)
	srv.Say("hello from opus")
	st := start(t, newSTT(t, srv, Config{}), voice.CodecOpus)
	speak(t, st, opusChunk, 12)
	if err := st.EndOfSpeech(); err != nil {
		t.Fatal(err)
	}
	if tr, _ := final(t, st); tr.Text != "hello from opus" {
		t.Errorf("final = %q", tr.Text)
	}
	reqs, err := srv.WaitRequests(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	r := reqs[0]
	if r.MediaEncoding != "ogg-opus" || r.SampleRate != 48000 {
		t.Errorf("request = %s %d, want ogg-opus 48000", r.MediaEncoding, r.SampleRate)
	}
	if r.OggPackets != 12 || len(r.Violations) > 0 {
		t.Errorf("ogg packets = %d (want 12), violations %q", r.OggPackets, r.Violations)
	}
}

func TestUpsampledPCM(t *testing.T) {
	srv := transcribetest.New(t)
	srv.Say("sixteen kilohertz")
	st := start(t, newSTT(t, srv, Config{SampleRate: 16000}), voice.CodecPCMU)
	speak(t, st, pcmuChunk, 5)
	_ = st.EndOfSpeech()
	if tr, _ := final(t, st); tr.Text != "sixteen kilohertz" {
		t.Errorf("final = %q", tr.Text)
	}
	reqs, _ := srv.WaitRequests(context.Background(), 1)
	if r := reqs[0]; r.SampleRate != 16000 || len(r.Audio) != 5*160*2*2 {
		t.Errorf("rate %d, %d bytes; want 16000, %d", r.SampleRate, len(r.Audio), 5*160*4)
	}
}

func TestErrorsClassified(t *testing.T) {
	tests := []struct {
		name   string
		fault  transcribetest.Fault
		secret string // client secret; empty: the right one
		reason string
	}{
		{"throttled (LimitExceededException, 429)", transcribetest.FaultThrottle, "", voicemetrics.ReasonThrottled},
		{"auth (UnrecognizedClientException, 403)", transcribetest.FaultAuth, "", voicemetrics.ReasonAuth},
		{"auth (bad signature)", 0, "wrong-secret", voicemetrics.ReasonAuth},
		{"bad request", transcribetest.FaultBadRequest, "", voicemetrics.ReasonOther},
		{"internal failure (500)", transcribetest.FaultInternal, "", voicemetrics.ReasonOther},
		{"service unavailable (503)", transcribetest.FaultUnavailable, "", voicemetrics.ReasonOther},
		{"exception mid-stream", transcribetest.FaultStreamException, "", voicemetrics.ReasonOther},
		{"hung connection (no response)", transcribetest.FaultHang, "", voicemetrics.ReasonTimeout},
		{"hung stream (no final)", transcribetest.FaultHangAfterHeaders, "", voicemetrics.ReasonTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := transcribetest.New(t)
			if tt.fault != 0 {
				srv.Fail(tt.fault)
			}
			var opts []Option
			if tt.secret != "" {
				opts = append(opts, WithCredentials(transcribetest.StaticCredentials(transcribetest.AccessKeyID, tt.secret)))
			}
			cfg := Config{MaxRetries: -1, ConnectTimeout: 300 * time.Millisecond, ResultTimeout: 300 * time.Millisecond}
			st := start(t, newSTT(t, srv, cfg, opts...), voice.CodecPCMU)
			speak(t, st, pcmuChunk, 10)
			_ = st.EndOfSpeech()
			pe := asyncError(t, st)
			if pe.Reason != tt.reason {
				t.Errorf("reason = %q, want %q (error: %v)", pe.Reason, tt.reason, pe)
			}
			if voice.ErrorReason(pe) != tt.reason {
				t.Errorf("voice.ErrorReason = %q", voice.ErrorReason(pe))
			}
			if strings.Contains(pe.Error(), transcribetest.SecretAccessKey) || strings.Contains(pe.Error(), "wrong-secret") {
				t.Errorf("error leaks the secret: %v", pe)
			}
		})
	}
}

func TestNetworkErrorClassified(t *testing.T) {
	srv := transcribetest.New(t)
	s := newSTT(t, srv, Config{MaxRetries: -1})
	srv.Close() // nothing listens any more
	st := start(t, s, voice.CodecPCMU)
	speak(t, st, pcmuChunk, 5)
	if pe := asyncError(t, st); pe.Reason != voicemetrics.ReasonNetwork {
		t.Errorf("reason = %q, want network (%v)", pe.Reason, pe)
	}
}

func TestNoAudioTimeoutEndsTurnAndReconnects(t *testing.T) {
	srv := transcribetest.New(t, transcribetest.WithNoAudioTimeout(200*time.Millisecond))
	srv.Say("are you there", "yes I am")
	st := start(t, newSTT(t, srv, Config{}), voice.CodecPCMU)

	// Audio stops without an end of speech: the service times out.
	speak(t, st, pcmuChunk, 15) // three AudioEvents: partial "are you there"
	tr, _ := final(t, st)
	if tr.Text != "are you there" {
		t.Errorf("turn ended with %q, want the text heard so far", tr.Text)
	}
	pe := asyncError(t, st)
	if pe.Reason != voicemetrics.ReasonTimeout {
		t.Errorf("reason = %q, want timeout", pe.Reason)
	}
	var ae *APIError
	if !errors.As(pe, &ae) || ae.Code != "BadRequestException" || !strings.Contains(ae.Message, "15 seconds") {
		t.Errorf("error = %v, want the service's BadRequestException", pe)
	}

	// The next utterance opens a new request.
	speak(t, st, pcmuChunk, 10)
	if err := st.EndOfSpeech(); err != nil {
		t.Fatalf("second utterance: %v", err)
	}
	if tr, _ := final(t, st); tr.Text != "yes I am" {
		t.Errorf("second final = %q", tr.Text)
	}
	reqs, _ := srv.WaitRequests(context.Background(), 2)
	if len(reqs) != 2 || reqs[0].Rejected != "timeout" || !reqs[1].Ended {
		t.Errorf("requests: %+v", reqs)
	}
}

func TestRetriesWithinUtterance(t *testing.T) {
	tests := []struct {
		name   string
		faults []transcribetest.Fault
		reason string
	}{
		{"throttled", []transcribetest.Fault{transcribetest.FaultThrottle}, voicemetrics.ReasonThrottled},
		{"5xx twice", []transcribetest.Fault{transcribetest.FaultUnavailable, transcribetest.FaultInternal}, voicemetrics.ReasonOther},
		{"exception mid-stream", []transcribetest.Fault{transcribetest.FaultStreamException}, voicemetrics.ReasonOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := transcribetest.New(t)
			srv.Fail(tt.faults...)
			srv.Say("still recognised")
			st := start(t, newSTT(t, srv, Config{RetryBackoff: time.Millisecond}), voice.CodecPCMU)
			speak(t, st, pcmuChunk, 10)
			_ = st.EndOfSpeech()
			if tr, _ := final(t, st); tr.Text != "still recognised" {
				t.Errorf("final = %q", tr.Text)
			}
			if pe := asyncError(t, st); pe.Reason != tt.reason {
				t.Errorf("reason = %q, want %q", pe.Reason, tt.reason)
			}
			reqs, _ := srv.WaitRequests(context.Background(), len(tt.faults)+1)
			last := reqs[len(reqs)-1]
			if len(reqs) != len(tt.faults)+1 || !last.Ended || len(last.Audio) != 10*320 {
				t.Errorf("%d requests, last ended=%v with %d bytes; want the audio replayed in full", len(reqs), last.Ended, len(last.Audio))
			}
		})
	}
}

func TestRetriesBounded(t *testing.T) {
	srv := transcribetest.New(t)
	srv.Fail(transcribetest.FaultThrottle, transcribetest.FaultThrottle, transcribetest.FaultThrottle, transcribetest.FaultThrottle)
	st := start(t, newSTT(t, srv, Config{MaxRetries: 2, RetryBackoff: time.Millisecond}), voice.CodecPCMU)
	speak(t, st, pcmuChunk, 5)
	_ = st.EndOfSpeech()
	if pe := asyncError(t, st); pe.Reason != voicemetrics.ReasonThrottled {
		t.Errorf("reason = %q", pe.Reason)
	}
	reqs, err := srv.WaitRequests(context.Background(), 3)
	if err != nil {
		t.Fatal(err)
	}
	// Wait for the stream to give up, then check no fourth request came.
	_ = st.Close()
	if n := len(srv.Requests()); n != 3 {
		t.Errorf("%d requests, want 1 + 2 retries (%+v)", n, reqs)
	}
}

func TestContextCancelReleasesHungRequest(t *testing.T) {
	srv := transcribetest.New(t)
	srv.Fail(transcribetest.FaultHang)
	s := newSTT(t, srv, Config{ConnectTimeout: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	st, err := s.Start(ctx, voice.AudioFormat{Codec: voice.CodecPCMU, SampleRate: 8000, Channels: 1})
	if err != nil {
		t.Fatal(err)
	}
	speak(t, st, pcmuChunk, 10)
	cancel()
	select {
	case _, ok := <-st.Results():
		for ok {
			_, ok = <-st.Results()
		}
	case <-time.After(wait):
		t.Fatal("results not closed after the context ended")
	}
	if err := st.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := st.Write(voice.Chunk{Payload: pcmuChunk}); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close = %v, want ErrClosed", err)
	}
	if err := st.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestUnsupportedCodec(t *testing.T) {
	srv := transcribetest.New(t)
	_, err := newSTT(t, srv, Config{}).Start(context.Background(), voice.AudioFormat{Codec: "g722"})
	if !errors.Is(err, ErrCodec) {
		t.Errorf("err = %v, want ErrCodec", err)
	}
}
