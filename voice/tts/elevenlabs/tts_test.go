package elevenlabs

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/voicewatch/voicewatch/internal/elevenlabstest"
	"github.com/voicewatch/voicewatch/internal/secret"
	"github.com/voicewatch/voicewatch/voice"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testKey = "sk-test-0123456789"

var pcmu = voice.AudioFormat{Codec: voice.CodecPCMU, SampleRate: 8000, Channels: 1}

func newServer(t *testing.T, cfg elevenlabstest.Config) *elevenlabstest.Server {
	t.Helper()
	if cfg.APIKey == "" {
		cfg.APIKey = testKey
	}
	s := elevenlabstest.New(cfg)
	t.Cleanup(s.Close)
	return s
}

func newTTS(t *testing.T, base string, mod func(*Config)) *TTS {
	t.Helper()
	cfg := Config{VoiceID: "voice-1", BaseURL: base, APIKey: secret.Secret(testKey),
		VoiceSettings: &VoiceSettings{Stability: 0.5, SimilarityBoost: 0.8}}
	if mod != nil {
		mod(&cfg)
	}
	tts, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tts
}

// synth runs Synthesize and collects what it streamed, bounded by a
// deadline; onFirst, when set, runs at the first chunk.
func synth(t *testing.T, tts *TTS, ctx context.Context, text string, onFirst func()) ([]voice.Chunk, error) {
	t.Helper()
	out := make(chan voice.Chunk)
	errc := make(chan error, 1)
	go func() { errc <- tts.Synthesize(ctx, text, pcmu, out) }()
	var got []voice.Chunk
	deadline := time.After(10 * time.Second)
	for {
		select {
		case c := <-out:
			if len(got) == 0 && onFirst != nil {
				onFirst()
			}
			got = append(got, c)
		case err := <-errc:
			return got, err
		case <-deadline:
			t.Fatal("Synthesize did not return")
		}
	}
}

func TestSynthesizeStreamsPCMUChunks(t *testing.T) {
	srv := newServer(t, elevenlabstest.Config{})
	tts := newTTS(t, srv.URL(), nil)
	chunks, err := synth(t, tts, context.Background(), "Hello world", nil)
	if err != nil {
		t.Fatal(err)
	}
	// 11 characters × 10 ms = 110 ms → 5 full chunks + 1 padded.
	if len(chunks) != 6 {
		t.Fatalf("got %d chunks, want 6 (110 ms in 20 ms chunks)", len(chunks))
	}
	for i, c := range chunks {
		if len(c.Payload) != 160 || c.Duration != 20*time.Millisecond {
			t.Errorf("chunk %d: %d bytes, %v; want 160 bytes, 20ms", i, len(c.Payload), c.Duration)
		}
	}
	msgs := srv.Messages()
	if len(msgs) != 3 {
		t.Fatalf("server got %d messages, want 3 (init, text, end)", len(msgs))
	}
	if msgs[0].Fields["text"] != " " || !msgs[0].Has("voice_settings") {
		t.Errorf("first message %s: want text \" \" with voice_settings", msgs[0].Raw)
	}
	if msgs[1].Fields["text"] != "Hello world " || msgs[1].Fields["try_trigger_generation"] != true {
		t.Errorf("second message %s: want the text with try_trigger_generation", msgs[1].Raw)
	}
	if msgs[2].Fields["text"] != "" {
		t.Errorf("third message %s: want the empty end-of-input text", msgs[2].Raw)
	}
	for _, m := range msgs {
		if strings.Contains(string(m.Raw), testKey) {
			t.Errorf("message %d carries the API key (it belongs in the header): %s", m.Index, m.Raw)
		}
	}
}

// The incident's bug: voice_settings sent after the first message closes
// the stream with 1008. Over several replies, only first messages carry
// them, and the server (which enforces the rule) never closes with 1008.
func TestVoiceSettingsOnlyInFirstMessage(t *testing.T) {
	srv := newServer(t, elevenlabstest.Config{})
	tts := newTTS(t, srv.URL(), nil)
	for _, text := range []string{"Hello.", "What is your name?", "Thank you, goodbye."} {
		if _, err := synth(t, tts, context.Background(), text, nil); err != nil {
			t.Fatalf("%q: %v", text, err)
		}
	}
	msgs := srv.Messages()
	if len(msgs) != 9 {
		t.Fatalf("got %d messages, want 9", len(msgs))
	}
	firsts := 0
	for _, m := range msgs {
		switch {
		case m.Index == 1 && m.Has("voice_settings"):
			firsts++
		case m.Index > 1 && m.Has("voice_settings"):
			t.Errorf("connection %d message %d carries voice_settings: %s", m.Conn, m.Index, m.Raw)
		}
		if m.Index > 1 && m.Has("generation_config") {
			t.Errorf("connection %d message %d carries generation_config: %s", m.Conn, m.Index, m.Raw)
		}
	}
	if firsts != 3 {
		t.Errorf("%d first messages with voice_settings, want 3", firsts)
	}
	if c := srv.Closes(); len(c) != 0 {
		t.Errorf("server closed with errors: %v", c)
	}
}

// The test server enforces the rule like the real API, and the adapter's
// classifier names what it answers: a client that changes voice_settings in
// its second message gets 1008 → policy_violation.
func TestLateVoiceSettingsIsPolicyViolation(t *testing.T) {
	srv := newServer(t, elevenlabstest.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, srv.URL()+"/v1/text-to-speech/v/stream-input?output_format=ulaw_8000",
		&websocket.DialOptions{HTTPHeader: map[string][]string{"Xi-Api-Key": {testKey}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	for _, m := range []string{
		`{"text":" ","voice_settings":{"stability":0.5,"similarity_boost":0.8}}`,
		`{"text":"Hello ","voice_settings":{"stability":0.9,"similarity_boost":0.8}}`,
	} {
		if err := c.Write(ctx, websocket.MessageText, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err = c.Read(ctx)
	pe := classifyConn(ctx, err)
	if pe.Reason != voicemetrics.ReasonPolicyViolation || websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
		t.Fatalf("late voice_settings: %v (reason %s), want 1008 policy_violation", err, pe.Reason)
	}
}

func TestErrorsClassified(t *testing.T) {
	tests := []struct {
		name    string
		failure elevenlabstest.Failure
		key     string
		closed  bool // the server is gone
		want    string
		sent    error
	}{
		{name: "quota exceeded frame", failure: elevenlabstest.FailQuota, want: voicemetrics.ReasonQuota, sent: ErrService},
		{name: "invalid key frame", failure: elevenlabstest.FailAuth, want: voicemetrics.ReasonAuth, sent: ErrService},
		{name: "wrong key", key: "sk-wrong", want: voicemetrics.ReasonAuth, sent: ErrService},
		{name: "429 on handshake", failure: elevenlabstest.FailThrottle, want: voicemetrics.ReasonThrottled, sent: ErrHandshake},
		{name: "500 on handshake", failure: elevenlabstest.FailServerError, want: voicemetrics.ReasonOther, sent: ErrHandshake},
		{name: "hung connection", failure: elevenlabstest.FailHang, want: voicemetrics.ReasonTimeout, sent: ErrFirstByteTimeout},
		{name: "connection refused", closed: true, want: voicemetrics.ReasonNetwork},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := elevenlabstest.New(elevenlabstest.Config{APIKey: testKey})
			srv.SetFailure(tc.failure)
			base := srv.URL()
			if tc.closed {
				srv.Close()
			} else {
				t.Cleanup(srv.Close)
			}
			tts := newTTS(t, base, func(c *Config) {
				c.FirstByteTimeout = 300 * time.Millisecond
				if tc.key != "" {
					c.APIKey = secret.Secret(tc.key)
				}
			})
			chunks, err := synth(t, tts, context.Background(), "Hello", nil)
			if err == nil || len(chunks) != 0 {
				t.Fatalf("Synthesize: %d chunks, error %v; want no audio and an error", len(chunks), err)
			}
			var pe *voice.ProviderError
			if !errors.As(err, &pe) || pe.Provider != Name {
				t.Fatalf("error %v is not a ProviderError of %s", err, Name)
			}
			if pe.Reason != tc.want || voice.ErrorReason(err) != tc.want {
				t.Errorf("reason %q, want %q (error: %v)", pe.Reason, tc.want, err)
			}
			if tc.sent != nil && !errors.Is(err, tc.sent) {
				t.Errorf("error %v does not wrap %v", err, tc.sent)
			}
			if strings.Contains(err.Error(), testKey) || (tc.key != "" && strings.Contains(err.Error(), tc.key)) {
				t.Errorf("error message leaks the API key: %v", err)
			}
		})
	}
}

// A stream that drops after the first frame delivers what arrived, then
// reports a network error: the speech was cut short.
func TestDropMidStream(t *testing.T) {
	srv := newServer(t, elevenlabstest.Config{FrameMs: 40})
	srv.SetFailure(elevenlabstest.FailDrop)
	tts := newTTS(t, srv.URL(), nil)
	got, err := synth(t, tts, context.Background(), strings.Repeat("word ", 20), nil)
	if len(got) != 2 { // one 40 ms frame
		t.Errorf("got %d chunks, want the 2 of the only frame sent", len(got))
	}
	if voice.ErrorReason(err) != voicemetrics.ReasonNetwork {
		t.Errorf("err = %v (reason %s), want a network error", err, voice.ErrorReason(err))
	}
}

// A stream that stalls after its first frame fails with a timeout.
func TestStallMidStream(t *testing.T) {
	srv := newServer(t, elevenlabstest.Config{FrameMs: 40})
	srv.SetFailure(elevenlabstest.FailStall)
	tts := newTTS(t, srv.URL(), func(c *Config) { c.ChunkTimeout = 200 * time.Millisecond })
	got, err := synth(t, tts, context.Background(), strings.Repeat("word ", 20), nil)
	if len(got) != 2 || !errors.Is(err, ErrChunkTimeout) || voice.ErrorReason(err) != voicemetrics.ReasonTimeout {
		t.Errorf("%d chunks, err %v; want 2 chunks then a chunk timeout", len(got), err)
	}
}

func TestFirstByteDelayIsWaited(t *testing.T) {
	const delay = 150 * time.Millisecond
	srv := newServer(t, elevenlabstest.Config{FirstByteDelay: delay})
	tts := newTTS(t, srv.URL(), nil)
	start := time.Now()
	var first time.Duration
	if _, err := synth(t, tts, context.Background(), "Hi", func() { first = time.Since(start) }); err != nil {
		t.Fatal(err)
	}
	if first < delay {
		t.Errorf("first chunk after %v, before the injected first-byte delay %v", first, delay)
	}
}

func TestCancelEndsStream(t *testing.T) {
	srv := newServer(t, elevenlabstest.Config{})
	tts := newTTS(t, srv.URL(), nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := make(chan voice.Chunk) // nobody reads after the first chunk
	errc := make(chan error, 1)
	go func() { errc <- tts.Synthesize(ctx, strings.Repeat("long reply ", 30), pcmu, out) }()
	<-out
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Synthesize ignored the cancelled context")
	}
}

func TestOpusIsRefused(t *testing.T) {
	srv := newServer(t, elevenlabstest.Config{})
	tts := newTTS(t, srv.URL(), nil)
	err := tts.Synthesize(context.Background(), "Hi", voice.AudioFormat{Codec: voice.CodecOpus, SampleRate: 48000, Channels: 2}, make(chan voice.Chunk, 1))
	if !errors.Is(err, ErrUnsupportedCodec) {
		t.Fatalf("err = %v, want ErrUnsupportedCodec", err)
	}
	if srv.Handshakes() != 0 {
		t.Error("an Opus request reached the service")
	}
}

func TestConfigValidate(t *testing.T) {
	speed := 2.0
	tests := []struct {
		name string
		cfg  Config
		env  string
		want string // substring of the error; "" for valid
	}{
		{name: "valid with env key", cfg: Config{VoiceID: "v"}, env: "k"},
		{name: "no voice", cfg: Config{APIKey: "k"}, want: "voice_id is required"},
		{name: "no key", cfg: Config{VoiceID: "v", APIKeyEnv: "VOICEWATCH_TEST_NO_SUCH_VAR"}, want: "set api_key_file or the VOICEWATCH_TEST_NO_SUCH_VAR"},
		{name: "missing key file", cfg: Config{VoiceID: "v", APIKeyFile: "/nonexistent/key"}, want: "api_key_file"},
		{name: "bad url", cfg: Config{VoiceID: "v", APIKey: "k", BaseURL: "https://api.elevenlabs.io"}, want: "want wss://host"},
		{name: "bad speed", cfg: Config{VoiceID: "v", APIKey: "k", VoiceSettings: &VoiceSettings{Speed: &speed}}, want: "speed"},
		{name: "bad schedule", cfg: Config{VoiceID: "v", APIKey: "k", ChunkLengthSchedule: []int{10}}, want: "chunk_length_schedule"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("ELEVENLABS_API_KEY", tc.env)
			cfg := tc.cfg.WithDefaults()
			err := cfg.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if key, _ := cfg.apiKey(); tc.want == "" && key.Reveal() != tc.env {
				t.Errorf("key not read from the environment")
			}
		})
	}
}

func TestClassifyClose(t *testing.T) {
	tests := []struct {
		name string
		ce   websocket.CloseError
		want string
	}{
		{"voice settings", websocket.CloseError{Code: 1008, Reason: elevenlabstest.ReasonVoiceSettings}, voicemetrics.ReasonPolicyViolation},
		{"inactivity", websocket.CloseError{Code: 1008, Reason: elevenlabstest.ReasonInactivity[:120]}, voicemetrics.ReasonTimeout},
		{"quota", websocket.CloseError{Code: 1008, Reason: "This request exceeds your quota of 10000."}, voicemetrics.ReasonQuota},
		{"invalid key", websocket.CloseError{Code: 1008, Reason: "Invalid API key"}, voicemetrics.ReasonAuth},
		{"unknown policy", websocket.CloseError{Code: 1008, Reason: "We are sorry, something went wrong."}, voicemetrics.ReasonPolicyViolation},
		{"try again later", websocket.CloseError{Code: 1013}, voicemetrics.ReasonThrottled},
		{"internal error", websocket.CloseError{Code: 1011}, voicemetrics.ReasonOther},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := classifyClose(tc.ce).Reason; got != tc.want {
				t.Errorf("reason %q, want %q", got, tc.want)
			}
		})
	}
	var ne net.Error = &net.OpError{Op: "read", Err: errors.New("connection reset")}
	if got := classifyConn(context.Background(), ne).Reason; got != voicemetrics.ReasonNetwork {
		t.Errorf("reset: %q, want network", got)
	}
}
