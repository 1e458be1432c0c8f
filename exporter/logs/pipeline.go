package logs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/voicewatch/voicewatch/exporter/logs/tail"
	"github.com/voicewatch/voicewatch/internal/httpguard"
)

// Config configures the sidecar's log pipeline (the `logs:` section of the
// sidecar configuration).
type Config struct {
	// Sources are the logs to follow. At least one is required.
	Sources []SourceConfig `yaml:"sources"`
	// MaxLabelValues bounds each log metric's label values. Default 100.
	MaxLabelValues int `yaml:"max_label_values"`
	// TrustedProxies are CIDR ranges (the load balancer's) whose
	// X-Forwarded-For is believed. Default: the private ranges 10.0.0.0/8,
	// 172.16.0.0/12, 192.168.0.0/16 and fc00::/7. An empty list trusts none.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// Routes are the paths the application serves, as globs ("/whip",
	// "/whip/*", "/static/**"; see httpguard.Routes). A request for any
	// other path counts as scanner traffic (pattern unknown_route), never
	// as a legitimate error. Default: none, every path is served.
	Routes []string `yaml:"routes"`
}

// SourceConfig is one followed log.
type SourceConfig struct {
	// Path is the file to follow across rotation and truncation, or "-" for
	// standard input. Required.
	Path string `yaml:"path"`
	// Format is auto, alb, clf, json, rules:FILE or rules:NAME. Default auto.
	Format string `yaml:"format"`
	// PollInterval is how often the file is checked. Default 250ms.
	PollInterval time.Duration `yaml:"poll_interval"`
	// MaxLineBytes bounds a line; longer ones count as unparsable. Default 64 KiB.
	MaxLineBytes int `yaml:"max_line_bytes"`
	// FromStart reads an existing file from its beginning instead of its end.
	// Default false (only new lines are counted, like tail -F -n 0).
	FromStart bool `yaml:"from_start"`
}

// Option configures optional Pipeline dependencies.
type Option func(*Pipeline)

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(p *Pipeline) { p.log = l } }

// WithStdin sets the reader of the "-" source (default: none; a "-" source
// then fails at New).
func WithStdin(r io.Reader) Option { return func(p *Pipeline) { p.stdin = r } }

// WithLabelOverflow reports label values folded into "other" to fn instead
// of exporting voicewatch_series_dropped_total from the pipeline (see
// MetricsConfig.OnOverflow).
func WithLabelOverflow(fn func(metric string)) Option { return func(p *Pipeline) { p.onOverflow = fn } }

// Pipeline follows the configured logs, classifies every line and counts
// it in Metrics. It is a prometheus.Collector. Create with New, run with Run.
type Pipeline struct {
	log        *slog.Logger
	stdin      io.Reader
	metrics    *Metrics
	sources    []source
	onOverflow func(metric string)
}

var _ prometheus.Collector = (*Pipeline)(nil)

type source struct {
	cfg    SourceConfig
	cls    *Classifier
	tailer *tail.Tailer // nil for stdin
}

// WithDefaults returns c with every zero field set to its default: an
// unset (nil) trusted_proxies becomes DefaultTrustedProxies, while an
// explicit empty list stays empty and trusts none. The sources are copied.
func (c Config) WithDefaults() Config {
	c.MaxLabelValues = cmp.Or(c.MaxLabelValues, DefaultMaxLabelValues)
	if c.TrustedProxies == nil {
		for _, p := range DefaultTrustedProxies {
			c.TrustedProxies = append(c.TrustedProxies, p.String())
		}
	}
	c.Sources = slices.Clone(c.Sources)
	for i := range c.Sources {
		s := &c.Sources[i]
		s.Format = cmp.Or(s.Format, "auto")
		t := tail.Config{PollInterval: s.PollInterval, MaxLineBytes: s.MaxLineBytes}.WithDefaults()
		s.PollInterval, s.MaxLineBytes = t.PollInterval, t.MaxLineBytes
	}
	return c
}

// Validate reports the first problem in c, wrapping ErrInvalidConfig.
// Zero fields are valid (they take defaults), so it gives the same answer
// before and after WithDefaults.
func (c Config) Validate() error {
	_, err := c.trusted()
	if err != nil {
		return err
	}
	if len(c.Sources) == 0 {
		return fmt.Errorf("%w: logs.sources is empty: add at least one {path: FILE, format: auto}", ErrInvalidConfig)
	}
	for i, s := range c.Sources {
		if s.Path == "" {
			return fmt.Errorf("%w: logs.sources[%d].path is required (a file, or - for stdin)", ErrInvalidConfig, i)
		}
		if _, err := ParseFormat(s.Format); err != nil {
			return fmt.Errorf("%w: logs.sources[%d].format: %w", ErrInvalidConfig, i, err)
		}
		if s.PollInterval < 0 || s.MaxLineBytes < 0 {
			return fmt.Errorf("%w: logs.sources[%d]: poll_interval and max_line_bytes must not be negative", ErrInvalidConfig, i)
		}
	}
	if c.MaxLabelValues < 0 {
		return fmt.Errorf("%w: logs.max_label_values must not be negative", ErrInvalidConfig)
	}
	if _, err := parseRoutes(c.Routes); err != nil {
		return fmt.Errorf("%w: logs.routes: %s", ErrInvalidConfig, strings.TrimPrefix(err.Error(), httpguard.ErrInvalidConfig.Error()+": "))
	}
	return nil
}

// parseRoutes compiles a route allow-list; none is nil (every path served).
func parseRoutes(globs []string) (*httpguard.Routes, error) {
	if len(globs) == 0 {
		return nil, nil
	}
	return httpguard.ParseRoutes(globs)
}

func (c Config) trusted() ([]netip.Prefix, error) {
	if c.TrustedProxies == nil {
		return DefaultTrustedProxies, nil
	}
	out := []netip.Prefix{}
	for _, s := range c.TrustedProxies {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("%w: logs.trusted_proxies: %q is not a CIDR range like 10.0.0.0/16", ErrInvalidConfig, s)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// New applies cfg's defaults, validates it and builds the pipeline;
// nothing runs until Run.
func New(cfg Config, opts ...Option) (*Pipeline, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := &Pipeline{log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(p)
	}
	p.log = p.log.With("component", "logs")
	trusted, _ := cfg.trusted()
	routes, _ := parseRoutes(cfg.Routes)
	var values []*ValueCapture
	for i, sc := range cfg.Sources {
		parser, err := ParseFormat(sc.Format)
		if err != nil {
			return nil, fmt.Errorf("%w: logs.sources[%d].format: %w", ErrInvalidConfig, i, err)
		}
		s := source{cfg: sc, cls: NewClassifier(parser, trusted, routes)}
		if sc.Path == "-" {
			if p.stdin == nil {
				return nil, fmt.Errorf("%w: logs.sources[%d]: stdin (-) is not available", ErrInvalidConfig, i)
			}
		} else {
			s.tailer, err = tail.New(tail.Config{
				Path: sc.Path, PollInterval: sc.PollInterval, MaxLineBytes: sc.MaxLineBytes, FromStart: sc.FromStart,
			}, tail.WithLogger(p.log))
			if err != nil {
				return nil, fmt.Errorf("%w: logs.sources[%d]: %w", ErrInvalidConfig, i, err)
			}
		}
		p.sources = append(p.sources, s)
		values = append(values, ValueCapturesOf(parser)...)
	}
	if err := CheckValueCaptures(values); err != nil {
		return nil, fmt.Errorf("%w: logs.sources: %w", ErrInvalidConfig, err)
	}
	p.metrics = NewMetrics(MetricsConfig{MaxLabelValues: cfg.MaxLabelValues, OnOverflow: p.onOverflow, Values: values})
	return p, nil
}

// Run follows every source until ctx is done (a stdin source ends at EOF)
// and returns nil then, or the first source's error.
func (p *Pipeline) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	for _, s := range p.sources {
		g.Go(func() error { return p.runSource(ctx, s) })
	}
	return g.Wait()
}

func (p *Pipeline) runSource(ctx context.Context, s source) error {
	var e Entry
	handle := func(line []byte) {
		if len(line) == 0 {
			return
		}
		s.cls.Classify(line, &e)
		p.metrics.Observe(&e)
	}
	if s.tailer == nil {
		long, err := tail.ReadLines(ctx, p.stdin, s.cfg.MaxLineBytes, handle)
		p.metrics.AddUnparsable(long)
		if err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("logs: stdin: %w", err)
		}
		p.log.Info("stdin source ended")
		return nil
	}
	var counted uint64
	err := s.tailer.Run(ctx, func(line []byte) {
		handle(line)
		if long := s.tailer.Stats().LongLines; long > counted {
			p.metrics.AddUnparsable(long - counted)
			counted = long
		}
	})
	if err != nil {
		return fmt.Errorf("logs: %s: %w", s.cfg.Path, err)
	}
	return nil
}

// Describe implements prometheus.Collector.
func (p *Pipeline) Describe(ch chan<- *prometheus.Desc) { p.metrics.Describe(ch) }

// Collect implements prometheus.Collector.
func (p *Pipeline) Collect(ch chan<- prometheus.Metric) { p.metrics.Collect(ch) }
