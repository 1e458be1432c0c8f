package logs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/voicewatch/voicewatch/exporter/logs/tail"
)

// ErrUsage is returned by RunReport for invalid flags or arguments (the
// problem and the usage have been written to stderr).
var ErrUsage = errors.New("usage error")

// ReportOption configures RunReport beyond its flags.
type ReportOption func(*reportOptions)

type reportOptions struct {
	now    func() time.Time
	log    *slog.Logger
	cwlogs FilterLogEventsAPI
}

// WithReportNow sets the clock used for --since on CloudWatch sources
// (default time.Now).
func WithReportNow(now func() time.Time) ReportOption {
	return func(o *reportOptions) { o.now = now }
}

// WithReportLogger sets the logger for diagnostics (default: discard).
func WithReportLogger(l *slog.Logger) ReportOption {
	return func(o *reportOptions) { o.log = l }
}

// WithCloudWatchLogsClient reads cloudwatch: sources with api instead of a
// client built from --region/--endpoint and the default credential chain.
func WithCloudWatchLogsClient(api FilterLogEventsAPI) ReportOption {
	return func(o *reportOptions) { o.cwlogs = api }
}

const reportUsage = `Usage: agent logs report [flags] FILE... | - | cloudwatch:LOG_GROUP

Summarises a voice agent's logs the way an incident review needs them:
sessions started/completed and completion rate, WebSocket connections,
legitimate requests and errors by kind (HTTP 5xx and application errors;
scanner traffic is never an error), warnings, session store writes, scanner
requests by pattern and by real client IP, and requests per minute.

Sources (several may be given; they are read once, not followed):
  FILE                   a log file
  -                      standard input
  cloudwatch:LOG_GROUP   a CloudWatch Logs group, read with FilterLogEvents
                         (all pages; progress on stderr). Credentials come
                         from the AWS SDK's default chain (environment,
                         shared config, ECS/EC2 role).

Real client IP: X-Forwarded-For is believed only from --trusted-proxies (the
load balancer's range); ALB access logs carry the real client themselves.

Flags:
`

// RunReport is `agent logs report`: it parses args (flags and sources),
// reads the sources, and writes the text report (or JSON with --json) to
// stdout. stdin is read for the source "-". Usage errors wrap ErrUsage;
// --help writes the usage to stdout and returns nil.
func RunReport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, opts ...ReportOption) error {
	o := reportOptions{now: time.Now, log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&o)
	}
	fs := flag.NewFlagSet("agent logs report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "auto", "log format: auto (per line: voicewatch JSON, ALB, common/combined, then the shipped rule sets),\n"+
		"alb (AWS ALB access log), clf (common/combined access log), json (voicewatch JSON events),\n"+
		"rules:FILE (a YAML rule set) or rules:NAME (shipped: "+strings.Join(ShippedRuleSets(), ", ")+")")
	since := fs.Duration("since", 0, "only count lines within this duration (e.g. 2h, 90m) of the newest line read\n"+
		"(for cloudwatch:LOG_GROUP sources: of now, the events' own timestamps); 0 = all lines")
	asJSON := fs.Bool("json", false, "write the report as JSON instead of text")
	region := fs.String("region", "", "AWS region for cloudwatch: sources (default: from the AWS environment/config)")
	endpoint := fs.String("endpoint", "", "CloudWatch Logs endpoint URL override (tests, LocalStack)")
	trustedFlag := fs.String("trusted-proxies", "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7",
		"comma-separated CIDR ranges of proxies (the ALB) whose X-Forwarded-For is believed; empty trusts none")
	top := fs.Int("top", 20, "how many scanner client IPs to list; the rest are summed as \"other\" (0 = all)")
	maxLine := fs.Int("max-line-bytes", tail.DefaultMaxLineBytes, "skip (and count) lines longer than this")
	usage := func(w io.Writer) {
		fmt.Fprint(w, reportUsage)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(stderr)
	}
	fs.Usage = func() {} // the flag package prints the error; the usage follows below
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return nil
		}
		usage(stderr)
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	usageErr := func(format string, a ...any) error {
		err := fmt.Errorf("%w: "+format, append([]any{ErrUsage}, a...)...)
		fmt.Fprintln(stderr, err)
		fmt.Fprintln(stderr, "Run 'agent logs report --help' for usage.")
		return err
	}
	if fs.NArg() == 0 {
		return usageErr("no source: give FILE..., - (stdin) or cloudwatch:LOG_GROUP")
	}
	if *since < 0 || *top < 0 || *maxLine <= 0 {
		return usageErr("--since and --top must not be negative, --max-line-bytes must be positive")
	}
	trusted, err := parsePrefixes(*trustedFlag)
	if err != nil {
		return usageErr("--trusted-proxies: %v", err)
	}
	parser, err := ParseFormat(*format)
	if err != nil {
		return usageErr("--format: %v", err)
	}
	cls := NewClassifier(parser, trusted)

	rep := Report{Sources: fs.Args(), Format: *format}
	if *since > 0 {
		rep.Since = since.String()
	}
	var rr recorder
	var e Entry
	handle := func(line []byte, fallback time.Time) {
		if len(bytes.TrimSpace(line)) == 0 {
			return
		}
		cls.Classify(line, &e)
		rr.add(&e, fallback)
	}
	// CloudWatch events carry their own timestamp, which FilterLogEvents'
	// window (--since) is based on: it wins over the line's.
	handleEvent := func(line []byte, ts time.Time) {
		if len(bytes.TrimSpace(line)) == 0 {
			return
		}
		cls.Classify(line, &e)
		if !ts.IsZero() {
			e.Time = ts
		}
		rr.add(&e, ts)
	}
	now := o.now()
	for _, src := range fs.Args() {
		rr.startSource()
		var long uint64
		switch {
		case src == "-":
			long, err = tail.ReadLines(ctx, stdin, *maxLine, func(b []byte) { handle(b, time.Time{}) })
		case strings.HasPrefix(src, "cloudwatch:"):
			err = o.readCloudWatch(ctx, strings.TrimPrefix(src, "cloudwatch:"), *region, *endpoint, *since, now, stderr, handleEvent)
		default:
			long, err = readFile(ctx, src, *maxLine, func(b []byte) { handle(b, time.Time{}) })
		}
		if err != nil {
			return err
		}
		rep.LongLines += long
	}
	buildReport(&rep, rr.recs, *since, *top)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		return nil
	}
	return writeTextReport(stdout, &rep)
}

func (o *reportOptions) readCloudWatch(ctx context.Context, group, region, endpoint string, since time.Duration, now time.Time, progress io.Writer, handle func([]byte, time.Time)) error {
	if group == "" {
		return fmt.Errorf("%w: cloudwatch: needs a log group name", ErrUsage)
	}
	api := o.cwlogs
	if api == nil {
		c, err := newCloudWatchLogsClient(ctx, region, endpoint)
		if err != nil {
			return err
		}
		api = c
	}
	var start time.Time
	if since > 0 {
		start = now.Add(-since)
	}
	return readCloudWatch(ctx, api, group, start, time.Time{}, progress, handle)
}

func readFile(ctx context.Context, path string, maxLine int, fn func([]byte)) (uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("read source: %w", err)
	}
	defer f.Close()
	return tail.ReadLines(ctx, f, maxLine, fn)
}

func parsePrefixes(s string) ([]netip.Prefix, error) {
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
