package sidecar

import (
	"io"
	"log/slog"
	"time"

	"github.com/voicewatch/voicewatch/exporter/cloudwatch"
	"github.com/voicewatch/voicewatch/exporter/scrape"
	"github.com/voicewatch/voicewatch/internal/tick"
	"github.com/voicewatch/voicewatch/probes"
)

// Option configures New beyond Config.
type Option func(*Sidecar)

// WithLogger sets the logger (default: discard); component names are added.
func WithLogger(l *slog.Logger) Option { return func(s *Sidecar) { s.log = l } }

// WithStdin sets the reader of a "-" log source (default none).
func WithStdin(r io.Reader) Option { return func(s *Sidecar) { s.stdin = r } }

// WithProbeEnv sets the environment of every probe (logger, network);
// default the real network.
func WithProbeEnv(env probes.Env) Option { return func(s *Sidecar) { s.probeEnv = env } }

// WithCloudWatchOptions passes options to cloudwatch.New (e.g.
// cloudwatch.WithWriter for EMF, cloudwatch.WithClient).
func WithCloudWatchOptions(opts ...cloudwatch.Option) Option {
	return func(s *Sidecar) { s.cwOpts = append(s.cwOpts, opts...) }
}

// WithScrapeOptions passes options to every scrape.New.
func WithScrapeOptions(opts ...scrape.Option) Option {
	return func(s *Sidecar) { s.scrapeOpts = append(s.scrapeOpts, opts...) }
}

// WithJitter replaces the random offset of each probe's second run in
// [0, interval); the first run is always at start-up (tests pass a
// function returning 0).
func WithJitter(f tick.Jitter) Option {
	return func(s *Sidecar) { s.jitter = f }
}

// WithNow injects the clock of the status page (tests).
func WithNow(now func() time.Time) Option { return func(s *Sidecar) { s.now = now } }

// WithWebConfigFile serves the listener with TLS and/or basic auth from an
// exporter-toolkit web configuration file (the --web.config.file of
// blackbox_exporter and node_exporter). "" serves plain HTTP.
func WithWebConfigFile(path string) Option { return func(s *Sidecar) { s.webConfig = path } }
