package dashboards

import (
	"io"
	"log/slog"
	"net/http"
)

// Generator builds the dashboards of one Config and applies them.
type Generator struct {
	cfg    Config
	logger *slog.Logger
	client *http.Client
}

// Option configures a Generator.
type Option func(*Generator)

// WithLogger sets the logger. Default: discard.
func WithLogger(l *slog.Logger) Option {
	return func(g *Generator) {
		if l != nil {
			g.logger = l
		}
	}
}

// WithHTTPClient sets the client used for the Grafana API. Default: a client
// with a 30 s timeout.
func WithHTTPClient(c *http.Client) Option {
	return func(g *Generator) {
		if c != nil {
			g.client = c
		}
	}
}

// New returns a Generator for cfg, with defaults applied to its zero fields.
func New(cfg Config, opts ...Option) (*Generator, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	g := &Generator{
		cfg:    cfg,
		logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		client: &http.Client{Timeout: defaultHTTPTimeout},
	}
	for _, o := range opts {
		o(g)
	}
	g.logger = g.logger.With("component", "dashboards")
	return g, nil
}

// Config returns the effective config (defaults applied).
func (g *Generator) Config() Config { return g.cfg }
