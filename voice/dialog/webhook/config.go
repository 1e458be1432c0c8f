package webhook

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/voicewatch/voicewatch/internal/secret"
)

// Config configures the webhook (the `dialog.webhook` block of voice.yaml).
type Config struct {
	// URL receives the POSTs. Required; http or https.
	URL string `yaml:"url"`
	// Timeout bounds one request, the user waiting in silence meanwhile.
	// Default 3s.
	Timeout time.Duration `yaml:"timeout"`
	// Greeting asks the endpoint for a greeting (turn 0) when the call
	// connects. Default false: no greeting.
	Greeting bool `yaml:"greeting"`
	// TokenFile holds a bearer token sent as Authorization. Default: none.
	TokenFile string `yaml:"token_file"`
	// TokenEnv names a variable holding the bearer token, when TokenFile is
	// empty. Default: none.
	TokenEnv string `yaml:"token_env"`
	// Token is the token itself, set by code (tests); never from YAML.
	Token secret.Secret `yaml:"-"`
}

// Validate applies defaults, reads the token and says what to fix.
func (c *Config) Validate() error {
	if c.Timeout == 0 {
		c.Timeout = 3 * time.Second
	}
	var errs []error
	if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("webhook: url %q: want http(s)://host/path", c.URL))
	}
	if c.Timeout < 0 {
		errs = append(errs, errors.New("webhook: timeout must be positive"))
	}
	if c.Token == "" {
		switch {
		case c.TokenFile != "":
			t, err := secret.FromFile(c.TokenFile)
			if err != nil {
				errs = append(errs, fmt.Errorf("webhook: token_file: %w", err))
			}
			c.Token = t
		case c.TokenEnv != "":
			c.Token = secret.Secret(os.Getenv(c.TokenEnv))
			if c.Token == "" {
				errs = append(errs, fmt.Errorf("webhook: token_env: %s is empty or unset", c.TokenEnv))
			}
		}
	}
	return errors.Join(errs...)
}

type options struct {
	logger *slog.Logger
	client *http.Client
}

// Option configures the webhook dialog.
type Option func(*options)

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithHTTPClient sets the HTTP client (default: a new one with its own
// connection pool; see Dialog.Close).
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.client = c } }
