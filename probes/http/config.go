package http

import (
	"cmp"
	"fmt"
	"net/http"
)

// Config configures an HTTP prober.
type Config struct {
	// Target is the URL to GET. Required.
	Target string `yaml:"-"`
	// ExpectedStatus is the status that counts as success, 100-599.
	// Default: 200.
	ExpectedStatus int `yaml:"expected_status"`
	// Token, when set, is sent as "Authorization: Bearer <token>".
	Token string `yaml:"token"`
}

// WithDefaults returns c with zero fields set to their defaults.
func (c Config) WithDefaults() Config {
	c.ExpectedStatus = cmp.Or(c.ExpectedStatus, http.StatusOK)
	return c
}

// Validate checks the settings (not Target, which New parses).
func (c Config) Validate() error {
	if c.ExpectedStatus < 100 || c.ExpectedStatus > 599 {
		return fmt.Errorf("%w: expected_status %d: want an HTTP status code (100-599)", ErrBadConfig, c.ExpectedStatus)
	}
	return nil
}
