package transcribe

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string // substring of the error; empty: valid
	}{
		{"zero is valid", Config{}, ""},
		{"16 kHz", Config{SampleRate: 16000}, ""},
		{"odd rate", Config{SampleRate: 11025}, "sample_rate 11025: use 8000 or a multiple of 8000"},
		{"relative endpoint", Config{Endpoint: "transcribe.local"}, `endpoint "transcribe.local": use an absolute`},
		{"ftp endpoint", Config{Endpoint: "ftp://x"}, "use an absolute http:// or https:// URL"},
		{"tiny chunks", Config{ChunkDuration: time.Millisecond}, "chunk_duration 1ms: use 20ms to 1s"},
		{"negative timeout", Config{ConnectTimeout: -time.Second}, "connect_timeout -1s is negative"},
		{"too many retries", Config{MaxRetries: 50}, "max_retries 50: use at most 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("Validate = %v, want ErrInvalidConfig containing %q", err, tt.want)
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	c := Config{Region: "eu-west-1"}.WithDefaults()
	if c.Endpoint != "https://transcribestreaming.eu-west-1.amazonaws.com" || c.SampleRate != 8000 ||
		c.LanguageCode != "en-US" || c.MaxRetries != DefaultMaxRetries {
		t.Errorf("defaults: %+v", c)
	}
	if c := (Config{MaxRetries: -1}).WithDefaults(); c.MaxRetries != 0 {
		t.Errorf("max_retries -1 → %d, want 0 (no retries)", c.MaxRetries)
	}
}

func TestPCMUpsampling(t *testing.T) {
	e := pcmEncoder{factor: 2}
	// μ-law 0xff is 0; find a byte decoding to a positive sample.
	out := e.encode(nil, []byte{0xff, 0x80})
	if len(out) != 8 {
		t.Fatalf("%d bytes, want 8", len(out))
	}
	s := func(i int) int16 { return int16(uint16(out[2*i]) | uint16(out[2*i+1])<<8) }
	peak := s(3)
	if s(0) != 0 || s(1) != 0 || s(2) != peak/2 {
		t.Errorf("samples %d %d %d %d: want 0 0 peak/2 peak", s(0), s(1), s(2), s(3))
	}
}
