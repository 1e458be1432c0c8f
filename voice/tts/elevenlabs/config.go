package elevenlabs

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/voicewatch/voicewatch/internal/secret"
)

// Config configures the adapter (the `tts.elevenlabs` block of voice.yaml).
// The API key is never written in the YAML: it comes from APIKeyFile or the
// APIKeyEnv variable.
type Config struct {
	// VoiceID is the ElevenLabs voice. Required.
	VoiceID string `yaml:"voice_id"`
	// ModelID is the model. Default eleven_flash_v2_5 (the low-latency one).
	ModelID string `yaml:"model_id"`
	// LanguageCode is the ISO 639-1 language for models that take one.
	// Default: none (the model decides).
	LanguageCode string `yaml:"language_code"`
	// BaseURL is the API's WebSocket origin. Default wss://api.elevenlabs.io.
	BaseURL string `yaml:"base_url"`
	// VoiceSettings are sent in the first message of each stream only.
	// Default: none (the voice's stored settings).
	VoiceSettings *VoiceSettings `yaml:"voice_settings"`
	// ChunkLengthSchedule is generation_config.chunk_length_schedule.
	// Default: none (the API's [120, 160, 250, 290]; a whole reply is sent
	// with try_trigger_generation, so it rarely matters).
	ChunkLengthSchedule []int `yaml:"chunk_length_schedule"`
	// APIKeyFile reads the key from a file (Docker/ECS secret). Default: none.
	APIKeyFile string `yaml:"api_key_file"`
	// APIKeyEnv names the variable holding the key when APIKeyFile is
	// empty. Default ELEVENLABS_API_KEY.
	APIKeyEnv string `yaml:"api_key_env"`
	// APIKey is the key itself, set by code (tests); never from YAML.
	APIKey secret.Secret `yaml:"-"`
	// ConnectTimeout bounds the WebSocket handshake. Default 5s.
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// FirstByteTimeout bounds the wait for the first audio frame, counted
	// from the start of Synthesize. Default 5s.
	FirstByteTimeout time.Duration `yaml:"first_byte_timeout"`
	// ChunkTimeout bounds the silence between two frames. Default 5s.
	ChunkTimeout time.Duration `yaml:"chunk_timeout"`
}

// VoiceSettings are the API's voice_settings.
type VoiceSettings struct {
	Stability       float64  `yaml:"stability" json:"stability"`
	SimilarityBoost float64  `yaml:"similarity_boost" json:"similarity_boost"`
	Style           *float64 `yaml:"style" json:"style,omitempty"`
	UseSpeakerBoost *bool    `yaml:"use_speaker_boost" json:"use_speaker_boost,omitempty"`
	Speed           *float64 `yaml:"speed" json:"speed,omitempty"`
}

// DefaultModel is the default model_id.
const DefaultModel = "eleven_flash_v2_5"

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	c.ModelID = cmp.Or(c.ModelID, DefaultModel)
	c.BaseURL = cmp.Or(c.BaseURL, "wss://api.elevenlabs.io")
	c.APIKeyEnv = cmp.Or(c.APIKeyEnv, "ELEVENLABS_API_KEY")
	for _, d := range []*time.Duration{&c.ConnectTimeout, &c.FirstByteTimeout, &c.ChunkTimeout} {
		*d = cmp.Or(*d, 5*time.Second)
	}
	return c
}

// Validate checks a config with defaults applied (WithDefaults), including
// that the API key can be read, and says what to fix.
func (c Config) Validate() error {
	var errs []error
	if c.VoiceID == "" {
		errs = append(errs, errors.New("voice_id is required (the voice's ID from the ElevenLabs voice library)"))
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "wss" && u.Scheme != "ws") || u.Host == "" {
		errs = append(errs, fmt.Errorf("base_url %q: want wss://host", c.BaseURL))
	}
	if s := c.VoiceSettings; s != nil {
		if s.Stability < 0 || s.Stability > 1 || s.SimilarityBoost < 0 || s.SimilarityBoost > 1 {
			errs = append(errs, errors.New("voice_settings: stability and similarity_boost must be within 0..1"))
		}
		if s.Speed != nil && (*s.Speed < 0.7 || *s.Speed > 1.2) {
			errs = append(errs, errors.New("voice_settings.speed must be within 0.7..1.2"))
		}
	}
	for _, n := range c.ChunkLengthSchedule {
		if n < 50 || n > 500 {
			errs = append(errs, fmt.Errorf("chunk_length_schedule: %d is outside 50..500", n))
			break
		}
	}
	if _, err := c.apiKey(); err != nil && (len(errs) == 0 || !errors.Is(err, ErrNoAPIKey)) {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// apiKey returns APIKey, else the key read from APIKeyFile, else the value
// of the APIKeyEnv variable.
func (c Config) apiKey() (secret.Secret, error) {
	k, err := secret.Resolve(c.APIKey, c.APIKeyFile, c.APIKeyEnv)
	if err != nil {
		return "", fmt.Errorf("api_key_file: %w", err)
	}
	if k == "" {
		return "", fmt.Errorf("%w: set api_key_file or the %s environment variable", ErrNoAPIKey, c.APIKeyEnv)
	}
	return k, nil
}

type options struct {
	logger *slog.Logger
	client *http.Client
	now    func() time.Time
}

// Option configures the adapter.
type Option func(*options)

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithHTTPClient sets the client for the handshake (default: a client
// without keep-alive, so no idle connection outlives a stream).
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.client = c } }

// WithClock injects the clock.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }
