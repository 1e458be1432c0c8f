package http

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
)

// Option changes a prober's dependencies.
type Option func(*Prober)

// WithClient sets the HTTP client; default a client that does not follow
// redirects to other hosts' credentials and uses ctx for its timeout.
func WithClient(c *http.Client) Option { return func(p *Prober) { p.client = c } }

// WithLogger sets the debug logger; default discards.
func WithLogger(l *slog.Logger) Option { return func(p *Prober) { p.logger = l } }

// Prober GETs one URL.
type Prober struct {
	cfg    Config
	client *http.Client
	logger *slog.Logger
}

var _ probes.Prober = (*Prober)(nil)

// New returns a prober for cfg.Target: zero fields of cfg take their
// defaults.
func New(cfg Config, opts ...Option) (*Prober, error) {
	cfg = cfg.WithDefaults()
	if _, err := probes.ParseHTTPURL(cfg.Target, ErrBadURL, "http(s)://host/path"); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := &Prober{cfg: cfg, client: &http.Client{}, logger: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(p)
	}
	p.logger = p.logger.With("component", "probe.http")
	return p, nil
}

// Probe sends the GET and checks the status.
func (p *Prober) Probe(ctx context.Context) probes.Result {
	start := time.Now()
	r := probes.Result{Kind: probemetrics.KindHTTP, Target: probes.RedactTarget(p.cfg.Target), Success: true}
	t := probes.NewPhaseTimer(&r, nil)
	t.Start(probemetrics.PhaseHTTPRequest)
	defer func() { r.Duration = time.Since(start) }()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.cfg.Target, nil)
	if err != nil {
		t.Fail(probes.ReasonConfig, fmt.Errorf("%w: %w", ErrBadURL, err))
		return r
	}
	req.Header.Set("User-Agent", probes.DefaultSoftware)
	if p.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+p.cfg.Token)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		reason := probes.Classify(err)
		if ctx.Err() != nil {
			reason = probes.ReasonTimeout
		}
		// *url.Error quotes the URL: use the redacted target instead.
		t.Fail(reason, fmt.Errorf("GET %s: %w", r.Target, unwrapURLError(err)))
		r.Duration = time.Since(start)
		return r
	}
	if resp.TLS != nil {
		r.CertExpiry = probes.EarliestExpiry(resp.TLS.PeerCertificates)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	r.SetDetail("status", strconv.Itoa(resp.StatusCode))
	if resp.StatusCode != p.cfg.ExpectedStatus {
		t.Fail(probes.ReasonHTTPStatus, fmt.Errorf("%w: got %d, want %d", ErrStatus, resp.StatusCode, p.cfg.ExpectedStatus))
		return r
	}
	t.End()
	return r
}

func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
