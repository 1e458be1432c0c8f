package elevenlabs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/voicewatch/voicewatch/internal/funcopt"
	"github.com/voicewatch/voicewatch/voice"
	"github.com/voicewatch/voicewatch/voice/audio"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// Name is the provider label value.
const Name = "elevenlabs"

// outputFormat is G.711 μ-law at 8 kHz: PCMU payloads as they are.
const outputFormat = "ulaw_8000"

// chunkBytes is 20 ms of 8 kHz μ-law: one RTP packet.
const chunkBytes = 160

// TTS is the ElevenLabs adapter. It is safe for concurrent use: each
// Synthesize call has its own connection.
type TTS struct {
	cfg    Config
	url    string
	header http.Header
	client *http.Client
	log    *slog.Logger
	now    func() time.Time
	init   []byte // the first message, the only one with voice_settings
}

var _ voice.TTS = (*TTS)(nil)

// New applies cfg's defaults, validates it, reads the API key and builds
// the adapter. It does not connect.
func New(cfg Config, opts ...Option) (*TTS, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("elevenlabs: %w", err)
	}
	key, err := cfg.apiKey()
	if err != nil {
		return nil, fmt.Errorf("elevenlabs: %w", err)
	}
	cfg.APIKey = key
	o := funcopt.Apply(options{now: time.Now}, opts)
	o.logger = funcopt.Logger(o.logger)
	if o.client == nil {
		o.client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true, Proxy: http.ProxyFromEnvironment}}
	}
	q := url.Values{}
	q.Set("model_id", cfg.ModelID)
	q.Set("output_format", outputFormat)
	if cfg.LanguageCode != "" {
		q.Set("language_code", cfg.LanguageCode)
	}
	u := strings.TrimRight(cfg.BaseURL, "/") + "/v1/text-to-speech/" + url.PathEscape(cfg.VoiceID) + "/stream-input?" + q.Encode()
	init := map[string]any{"text": " "}
	if cfg.VoiceSettings != nil {
		init["voice_settings"] = cfg.VoiceSettings
	}
	if len(cfg.ChunkLengthSchedule) > 0 {
		init["generation_config"] = map[string]any{"chunk_length_schedule": cfg.ChunkLengthSchedule}
	}
	initMsg, err := json.Marshal(init)
	if err != nil {
		return nil, fmt.Errorf("elevenlabs: encode first message: %w", err)
	}
	h := http.Header{}
	h.Set("xi-api-key", cfg.APIKey.Reveal()) // a header, so message logs never hold the key
	return &TTS{cfg: cfg, url: u, header: h, client: o.client, log: o.logger.With("component", "tts", "provider", Name),
		now: o.now, init: initMsg}, nil
}

// Name implements voice.TTS.
func (*TTS) Name() string { return Name }

// Codecs lists the session codecs this TTS produces without transcoding.
// The media core should prefer them when it negotiates.
func (*TTS) Codecs() []voice.Codec { return []voice.Codec{voice.CodecPCMU} }

// textMsg is every message after the first: never voice_settings.
type textMsg struct {
	Text                 string `json:"text"`
	TryTriggerGeneration bool   `json:"try_trigger_generation,omitempty"`
}

// frame is one server message: audio, the final marker or an error.
type frame struct {
	Audio   *string `json:"audio"`
	IsFinal *bool   `json:"isFinal"`
	errorFrame
}

// Synthesize implements voice.TTS: it streams the audio of text to out in
// 20 ms PCMU chunks as frames arrive and returns at the end of the audio.
// Failures are classified *voice.ProviderError values; one returned after
// some chunks were sent means the speech was cut short.
func (t *TTS) Synthesize(ctx context.Context, text string, f voice.AudioFormat, out chan<- voice.Chunk) error {
	if f.Codec != voice.CodecPCMU {
		return perr(voicemetrics.ReasonOther, ErrUnsupportedCodec)
	}
	// One deadline covers connect + first audio; ChunkTimeout then bounds
	// each later frame.
	firstCtx, cancelFirst := context.WithTimeoutCause(ctx, t.cfg.FirstByteTimeout, ErrFirstByteTimeout)
	defer cancelFirst()
	dialCtx, cancelDial := context.WithTimeout(firstCtx, t.cfg.ConnectTimeout)
	c, resp, err := websocket.Dial(dialCtx, t.url, &websocket.DialOptions{HTTPClient: t.client, HTTPHeader: t.header})
	cancelDial()
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			return classifyHandshake(resp)
		}
		return classifyConn(ctx, causeOf(firstCtx, err))
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	// The whole reply is known: send the three messages at once.
	msgs := [][]byte{t.init}
	for _, m := range []textMsg{{Text: strings.TrimSpace(text) + " ", TryTriggerGeneration: true}, {Text: ""}} {
		b, _ := json.Marshal(m)
		msgs = append(msgs, b)
	}
	for _, m := range msgs {
		if err := c.Write(firstCtx, websocket.MessageText, m); err != nil {
			return classifyConn(ctx, causeOf(firstCtx, err))
		}
	}
	var pending []byte
	send := func(p []byte) error {
		select {
		case out <- voice.Chunk{Payload: p, Duration: 20 * time.Millisecond}:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	sent := 0
	for final := false; !final; {
		// Until the first chunk the first-byte deadline applies; then each
		// frame must follow the previous one within ChunkTimeout.
		readCtx, cancel := firstCtx, context.CancelFunc(func() {})
		if sent > 0 {
			readCtx, cancel = context.WithTimeoutCause(ctx, t.cfg.ChunkTimeout, ErrChunkTimeout)
		}
		var b []byte
		b, final, err = t.readAudio(readCtx, c)
		if err != nil {
			err = t.classify(ctx, readCtx, err)
			cancel()
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		cancel()
		pending = append(pending, b...)
		for len(pending) >= chunkBytes {
			if err := send(pending[:chunkBytes:chunkBytes]); err != nil {
				return err
			}
			pending = pending[chunkBytes:]
			sent++
		}
	}
	if len(pending) > 0 { // pad the last chunk to 20 ms with silence
		p := make([]byte, chunkBytes)
		n := copy(p, pending)
		for i := n; i < chunkBytes; i++ {
			p[i] = audio.ULawSilence
		}
		if err := send(p); err != nil {
			return err
		}
		sent++
	}
	if sent == 0 {
		return perr(voicemetrics.ReasonOther, ErrEmptyStream)
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	_ = closeQuietly(cctx, c)
	return nil
}

// readAudio reads frames until one carries audio or is final.
func (t *TTS) readAudio(ctx context.Context, c *websocket.Conn) (pcmu []byte, final bool, err error) {
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			return nil, false, err
		}
		var fr frame
		if err := json.Unmarshal(b, &fr); err != nil {
			return nil, false, perr(voicemetrics.ReasonOther, fmt.Errorf("%w: undecodable frame: %v", ErrService, err))
		}
		if fr.Error != "" {
			return nil, false, classifyFrame(fr.errorFrame)
		}
		final = fr.IsFinal != nil && *fr.IsFinal
		if fr.Audio != nil && *fr.Audio != "" {
			p, err := base64.StdEncoding.DecodeString(*fr.Audio)
			if err != nil {
				return nil, false, perr(voicemetrics.ReasonOther, fmt.Errorf("%w: bad audio base64: %v", ErrService, err))
			}
			return p, final, nil
		}
		if final {
			return nil, true, nil
		}
	}
}

// classify turns a read error into a provider error, preferring the cause
// of a deadline we set (first byte, chunk) over the bare deadline.
func (t *TTS) classify(ctx, opCtx context.Context, err error) *voice.ProviderError {
	var pe *voice.ProviderError
	if errors.As(err, &pe) {
		return pe
	}
	return classifyConn(ctx, causeOf(opCtx, err))
}

// causeOf returns the cause of opCtx's end (our timeout sentinels) when the
// operation failed because opCtx ended, else err.
func causeOf(opCtx context.Context, err error) error {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return err
	}
	if opCtx.Err() != nil {
		if c := context.Cause(opCtx); c != nil && !errors.Is(c, context.Canceled) {
			return fmt.Errorf("%w (%v)", c, err)
		}
	}
	return err
}

// closeQuietly finishes the close handshake after isFinal: the service
// closes normally; answer without waiting long.
func closeQuietly(ctx context.Context, c *websocket.Conn) error {
	done := make(chan error, 1)
	go func() { done <- c.Close(websocket.StatusNormalClosure, "") }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		_ = c.CloseNow()
		return <-done
	}
}
