package logs

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/voicewatch/voicewatch/exporter/logs/tail"
)

// ReportConfig says which sources a report reads and how it counts them.
// The zero value of every field but Sources is a usable default.
type ReportConfig struct {
	// Sources are read once, in order: a file path, "-" (the reader given
	// with WithStdin), cloudwatch:LOG_GROUP (FilterLogEvents, all pages) or
	// s3://BUCKET/PREFIX (every object under the prefix, as ALB and
	// CloudFront deliver them; gzip or not). Any source may be gzip.
	Sources []string
	// Format names the parser (see ParseFormat). Default "auto".
	Format string
	// Since counts only lines within this duration of the newest line read
	// (for cloudwatch: sources, of now: the events' own timestamps; s3:
	// sources skip objects whose key time, in the ALB and CloudFront
	// layouts, ends before now minus Since). Default 0: every line.
	Since time.Duration
	// TrustedProxies are the ranges whose X-Forwarded-For is believed (see
	// ParsePrefixes). Default (nil): DefaultTrustedProxies; an empty,
	// non-nil slice trusts none.
	TrustedProxies []netip.Prefix
	// Routes are the paths the application serves, as globs (see
	// httpguard.Routes); a request for any other path is scanner traffic
	// (unknown_route). Default: none, every path is served.
	Routes []string
	// Top is how many scanner client IPs the report lists; the rest are
	// summed as "other". Default 0: all.
	Top int
	// MaxLineBytes skips (and counts) longer lines. Default
	// tail.DefaultMaxLineBytes.
	MaxLineBytes int
	// Region and Endpoint configure the CloudWatch Logs and S3 clients for
	// cloudwatch: and s3:// sources (defaults: the AWS environment; the AWS
	// endpoint; an S3 endpoint override uses path-style addressing).
	Region, Endpoint string
}

// WithDefaults returns c with every zero field set to its default.
func (c ReportConfig) WithDefaults() ReportConfig {
	c.Format = cmp.Or(c.Format, "auto")
	c.MaxLineBytes = cmp.Or(c.MaxLineBytes, tail.DefaultMaxLineBytes)
	return c
}

// Validate reports what is wrong with c (defaults applied), wrapping
// ErrInvalidConfig.
func (c ReportConfig) Validate() error {
	if len(c.Sources) == 0 {
		return fmt.Errorf("%w: no source: give FILE..., - (stdin), cloudwatch:LOG_GROUP or s3://BUCKET/PREFIX", ErrInvalidConfig)
	}
	if c.Since < 0 || c.Top < 0 || c.MaxLineBytes < 0 {
		return fmt.Errorf("%w: since and top must not be negative, the line limit must be positive", ErrInvalidConfig)
	}
	return nil
}

// ReportOption configures BuildReport beyond its config.
type ReportOption func(*reportOptions)

type reportOptions struct {
	now      func() time.Time
	log      *slog.Logger
	cwlogs   FilterLogEventsAPI
	s3       S3API
	stdin    io.Reader
	progress io.Writer
}

// WithReportNow sets the clock used for Since on CloudWatch sources
// (default time.Now).
func WithReportNow(now func() time.Time) ReportOption {
	return func(o *reportOptions) { o.now = now }
}

// WithReportLogger sets the logger for diagnostics (default: discard).
func WithReportLogger(l *slog.Logger) ReportOption {
	return func(o *reportOptions) { o.log = l }
}

// WithCloudWatchLogsClient reads cloudwatch: sources with api instead of a
// client built from Region/Endpoint and the default credential chain.
func WithCloudWatchLogsClient(api FilterLogEventsAPI) ReportOption {
	return func(o *reportOptions) { o.cwlogs = api }
}

// WithReportStdin is the reader of the source "-" (default: none; "-" is then an
// error).
func WithReportStdin(r io.Reader) ReportOption {
	return func(o *reportOptions) { o.stdin = r }
}

// WithReportProgress receives progress lines of long reads (CloudWatch pages).
// Default: discarded.
func WithReportProgress(w io.Writer) ReportOption {
	return func(o *reportOptions) { o.progress = w }
}

// BuildReport reads every source of cfg and returns the summary. Invalid
// settings wrap ErrInvalidConfig or ErrUnknownFormat; an unreadable source
// is an error that names it.
func BuildReport(ctx context.Context, cfg ReportConfig, opts ...ReportOption) (*Report, error) {
	o := reportOptions{now: time.Now, log: slog.New(slog.DiscardHandler), progress: io.Discard}
	for _, opt := range opts {
		opt(&o)
	}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	parser, err := ParseFormat(cfg.Format)
	if err != nil {
		return nil, err
	}
	routes, err := parseRoutes(cfg.Routes)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	cls := NewClassifier(parser, cfg.TrustedProxies, routes)

	rep := Report{Sources: cfg.Sources, Format: cfg.Format}
	if cfg.Since > 0 {
		rep.Since = cfg.Since.String()
	}
	var rr recorder
	var e Entry
	handle := func(line []byte, fallback time.Time) {
		if len(bytes.TrimSpace(line)) == 0 {
			return
		}
		if cls.Classify(line, &e) == ClassUnparsable {
			rr.sample(line)
		}
		rr.add(&e, fallback)
	}
	// CloudWatch events carry their own timestamp, which FilterLogEvents'
	// window (Since) is based on: it wins over the line's.
	handleEvent := func(line []byte, ts time.Time) {
		if len(bytes.TrimSpace(line)) == 0 {
			return
		}
		if cls.Classify(line, &e) == ClassUnparsable {
			rr.sample(line)
		}
		if !ts.IsZero() {
			e.Time = ts
		}
		rr.add(&e, ts)
	}
	now := o.now()
	for _, src := range cfg.Sources {
		rr.startSource()
		var long uint64
		switch {
		case src == "-":
			if o.stdin == nil {
				return nil, fmt.Errorf("%w: source - (stdin) has no reader", ErrInvalidConfig)
			}
			long, err = readReportLines(ctx, o.stdin, cfg.MaxLineBytes, func(b []byte) { handle(b, time.Time{}) })
		case strings.HasPrefix(src, "cloudwatch:"):
			err = o.readCloudWatch(ctx, strings.TrimPrefix(src, "cloudwatch:"), cfg, now, handleEvent)
		case strings.HasPrefix(src, "s3://"):
			long, err = o.readS3(ctx, src, cfg, now, rr.startSource, func(b []byte) { handle(b, time.Time{}) })
		default:
			long, err = readFile(ctx, src, cfg.MaxLineBytes, func(b []byte) { handle(b, time.Time{}) })
		}
		if err != nil {
			return nil, err
		}
		rep.LongLines += long
	}
	buildReport(&rep, rr.recs, cfg.Since, cfg.Top)
	rep.HeaderLines = rr.headers
	if rep.Unparsable > 0 {
		rep.SuggestedFormat = SuggestFormat(rr.samples, cfg.Format)
	}
	return &rep, nil
}

func (o *reportOptions) readCloudWatch(ctx context.Context, group string, cfg ReportConfig, now time.Time, handle func([]byte, time.Time)) error {
	if group == "" {
		return fmt.Errorf("%w: cloudwatch: needs a log group name", ErrInvalidConfig)
	}
	api := o.cwlogs
	if api == nil {
		c, err := newCloudWatchLogsClient(ctx, cfg.Region, cfg.Endpoint)
		if err != nil {
			return err
		}
		api = c
	}
	var start time.Time
	if cfg.Since > 0 {
		start = now.Add(-cfg.Since)
	}
	return readCloudWatch(ctx, api, group, start, time.Time{}, o.progress, handle)
}

func (o *reportOptions) readS3(ctx context.Context, src string, cfg ReportConfig, now time.Time, object func(), fn func([]byte)) (uint64, error) {
	api := o.s3
	if api == nil {
		if _, _, err := parseS3Source(src); err != nil {
			return 0, err
		}
		c, err := newS3Client(ctx, cfg.Region, cfg.Endpoint)
		if err != nil {
			return 0, err
		}
		api = c
	}
	var start time.Time
	if cfg.Since > 0 {
		start = now.Add(-cfg.Since)
	}
	st, err := readS3(ctx, api, src, start, cfg.MaxLineBytes, o.progress, func(string) { object() }, fn)
	return st.long, err
}

func readFile(ctx context.Context, path string, maxLine int, fn func([]byte)) (uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("read source: %w", err)
	}
	defer f.Close()
	long, err := readReportLines(ctx, f, maxLine, fn)
	if err != nil {
		return long, fmt.Errorf("%s: %w", path, err)
	}
	return long, nil
}

// readReportLines is tail.ReadLines over r, decompressed if it is gzip.
func readReportLines(ctx context.Context, r io.Reader, maxLine int, fn func([]byte)) (uint64, error) {
	r, err := maybeGunzip(r)
	if err != nil {
		return 0, err
	}
	return tail.ReadLines(ctx, r, maxLine, fn)
}

// ParsePrefixes parses a comma-separated list of CIDR ranges (blanks and
// empty items ignored); "" is an empty list.
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	out := []netip.Prefix{}
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		pfx, err := netip.ParsePrefix(p)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR range like 10.0.0.0/16", p)
		}
		out = append(out, pfx.Masked())
	}
	return out, nil
}
