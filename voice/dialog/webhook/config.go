package webhook

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

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	c.Timeout = cmp.Or(c.Timeout, 3*time.Second)
	return c
}

// Validate checks c, including that its token can be read, and says what
// to fix. A zero timeout is valid (it takes the default).
func (c Config) Validate() error {
	var errs []error
	if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("webhook: url %q: want http(s)://host/path", c.URL))
	}
	if c.Timeout < 0 {
		errs = append(errs, errors.New("webhook: timeout must be positive"))
	}
	if _, err := c.token(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// token returns Token, else the token read from TokenFile, else the value
// of the TokenEnv variable; none of them set is no token.
func (c Config) token() (secret.Secret, error) {
	t, err := secret.Resolve(c.Token, c.TokenFile, c.TokenEnv)
	switch {
	case err != nil:
		return "", fmt.Errorf("webhook: token_file: %w", err)
	case t == "" && c.TokenFile == "" && c.TokenEnv != "":
		return "", fmt.Errorf("webhook: token_env: %s is empty or unset", c.TokenEnv)
	}
	return t, nil
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
