package httpguard

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseConfigInvalid(t *testing.T) {
	tests := []struct {
		file string
		want []string // substrings of the error, in order
	}{
		{"invalid-cidr.yml", []string{`trusted_proxies[0]: "10.0.0.0/33" is not a CIDR or IP address (want e.g. 10.0.0.0/16 or 10.0.3.7)`}},
		{"invalid-unknown-field.yml", []string{"field trusted_proxy not found in type httpguard.Config"}},
		{"invalid-negative.yml", []string{"rate_per_second: -1 must be a positive number", "burst: -5 must be positive (0 means the default, 40)"}},
		{"invalid-type.yml", []string{"cannot unmarshal !!str `lots` into int64"}},
		{"invalid-max-clients.yml", []string{"max_clients: -1 must be positive (0 means the default, 10000)"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			_, err = ParseConfig(f)
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("error %v does not wrap ErrInvalidConfig", err)
			}
			msg := err.Error()
			for _, w := range tt.want {
				i := strings.Index(msg, w)
				if i < 0 {
					t.Fatalf("error %q does not contain %q", msg, w)
				}
				msg = msg[i+len(w):]
			}
		})
	}
}

func TestParseConfigDefaults(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "good.yml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := ParseConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	if c.RatePerSecond != 5 || c.Burst != 10 {
		t.Errorf("explicit values lost: %+v", c)
	}
	if c.MaxBodyBytes != DefaultMaxBodyBytes || c.MaxClients != DefaultMaxClients {
		t.Errorf("defaults not applied: %+v", c)
	}
	p, err := c.prefixes()
	if err != nil || len(p) != 3 || p[2].Bits() != 32 {
		t.Errorf("prefixes() = %v, %v; want 3 with a /32 for the bare address", p, err)
	}
}

func TestNewRejectsInvalidConfig(t *testing.T) {
	_, err := New(Config{TrustedProxies: []string{"alb"}}, nil)
	if !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("New with a bad CIDR: err = %v, want ErrInvalidConfig", err)
	}
}
