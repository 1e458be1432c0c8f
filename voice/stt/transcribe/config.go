package transcribe

import (
	"cmp"
	"fmt"
	"net/url"
	"time"
)

// Default values of Config fields.
const (
	DefaultRegion         = "us-east-1"
	DefaultLanguageCode   = "en-US"
	DefaultSampleRate     = 8000
	DefaultChunkDuration  = 100 * time.Millisecond
	DefaultConnectTimeout = 5 * time.Second
	DefaultResultTimeout  = 5 * time.Second
	DefaultMaxRetries     = 2
	DefaultRetryBackoff   = 200 * time.Millisecond
)

// Config configures the adapter (providers.stt.transcribe in voice.yaml).
// Zero fields take the default documented on each field. Credentials are not
// configured here: they come from the AWS SDK default chain only.
type Config struct {
	// Region is the AWS region of the Transcribe streaming endpoint.
	// Default us-east-1 (or AWS_REGION from the SDK's configuration).
	Region string `yaml:"region"`
	// LanguageCode is the spoken language (x-amzn-transcribe-language-code).
	// Default en-US.
	LanguageCode string `yaml:"language_code"`
	// SampleRate is the PCM rate sent for PCMU calls: 8000 (the native rate,
	// no resampling) or a multiple of it up to 48000 (linear upsampling).
	// Opus calls are always sent at 48000 as ogg-opus. Default 8000.
	SampleRate int `yaml:"sample_rate"`
	// Endpoint overrides the service URL, e.g. a VPC endpoint or the test
	// server (http:// speaks HTTP/2 without TLS). Default
	// https://transcribestreaming.<region>.amazonaws.com.
	Endpoint string `yaml:"endpoint"`
	// ChunkDuration is how much audio goes into one AudioEvent (AWS
	// recommends 50-200 ms). Default 100ms.
	ChunkDuration time.Duration `yaml:"chunk_duration"`
	// ConnectTimeout bounds the wait for the service's response headers.
	// Default 5s.
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// ResultTimeout bounds the wait for the final result after the end of
	// speech. Default 5s.
	ResultTimeout time.Duration `yaml:"result_timeout"`
	// MaxRetries is how many times a failed request is retried within one
	// utterance (throttling, 5xx, network); 0 means the default, -1 none.
	// Default 2.
	MaxRetries int `yaml:"max_retries"`
	// RetryBackoff is the delay before the first retry; it doubles with each
	// further retry. Default 200ms.
	RetryBackoff time.Duration `yaml:"retry_backoff"`
}

// WithDefaults returns c with zero fields set to their defaults and
// max_retries -1 (none) turned into 0 retries; so, unlike the other
// configs' WithDefaults, it is applied once (New does).
func (c Config) WithDefaults() Config {
	c.Region = cmp.Or(c.Region, DefaultRegion)
	c.LanguageCode = cmp.Or(c.LanguageCode, DefaultLanguageCode)
	c.SampleRate = cmp.Or(c.SampleRate, DefaultSampleRate)
	c.Endpoint = cmp.Or(c.Endpoint, "https://transcribestreaming."+c.Region+".amazonaws.com")
	c.ChunkDuration = cmp.Or(c.ChunkDuration, DefaultChunkDuration)
	c.ConnectTimeout = cmp.Or(c.ConnectTimeout, DefaultConnectTimeout)
	c.ResultTimeout = cmp.Or(c.ResultTimeout, DefaultResultTimeout)
	switch {
	case c.MaxRetries == 0:
		c.MaxRetries = DefaultMaxRetries
	case c.MaxRetries < 0:
		c.MaxRetries = 0
	}
	c.RetryBackoff = cmp.Or(c.RetryBackoff, DefaultRetryBackoff)
	return c
}

// Validate reports the first invalid field with what to change. Zero fields
// are valid (they take defaults), so it gives the same answer before and
// after WithDefaults.
func (c Config) Validate() error {
	if c.SampleRate != 0 && (c.SampleRate < 8000 || c.SampleRate > 48000 || c.SampleRate%8000 != 0) {
		return fmt.Errorf("%w: sample_rate %d: use 8000 or a multiple of 8000 up to 48000", ErrInvalidConfig, c.SampleRate)
	}
	if c.Endpoint != "" {
		u, err := url.Parse(c.Endpoint)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("%w: endpoint %q: use an absolute http:// or https:// URL", ErrInvalidConfig, c.Endpoint)
		}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"chunk_duration", c.ChunkDuration}, {"connect_timeout", c.ConnectTimeout}, {"result_timeout", c.ResultTimeout}, {"retry_backoff", c.RetryBackoff}} {
		if d.v < 0 {
			return fmt.Errorf("%w: %s %s is negative", ErrInvalidConfig, d.name, d.v)
		}
	}
	if c.ChunkDuration != 0 && (c.ChunkDuration < 20*time.Millisecond || c.ChunkDuration > time.Second) {
		return fmt.Errorf("%w: chunk_duration %s: use 20ms to 1s (AWS recommends 50-200ms)", ErrInvalidConfig, c.ChunkDuration)
	}
	if c.MaxRetries > 10 {
		return fmt.Errorf("%w: max_retries %d: use at most 10", ErrInvalidConfig, c.MaxRetries)
	}
	return nil
}
