//go:build !sidecaronly

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"

	"github.com/voicewatch/voicewatch/exporter/logs"
	"github.com/voicewatch/voicewatch/exporter/logs/tail"
	"github.com/voicewatch/voicewatch/internal/awserr"
)

const logsHelp = `Usage: agent logs report [flags] FILE...|-|cloudwatch:LOG_GROUP|s3://BUCKET/PREFIX

Commands:
  report   summarise voice-agent logs: sessions and completion rate,
           legitimate errors by kind, and scanner traffic by pattern and
           real client IP

Run 'agent logs report --help' for its flags.
`

func runLogs(ctx context.Context, args []string, std stdio) error {
	sub, rest, err := subcommand("logs", logsHelp, []string{"report"}, args, std.out)
	if err != nil {
		return err
	}
	_ = sub // report is the only one
	return runLogsReport(ctx, rest, std)
}

const logsReportSynopsis = `logs report [flags] FILE... | - | cloudwatch:LOG_GROUP | s3://BUCKET/PREFIX

Summarises a voice agent's logs the way an incident review needs them:
sessions started/completed and completion rate, WebSocket connections,
legitimate requests and errors by kind (HTTP 5xx and application errors;
scanner traffic is never an error), warnings, session store writes, scanner
requests by pattern and by real client IP, and requests per minute.

Sources (several may be given; they are read once, not followed; any of
them may be gzip-compressed, recognised by its first bytes):
  FILE                   a log file
  -                      standard input
  cloudwatch:LOG_GROUP   a CloudWatch Logs group, read with FilterLogEvents
                         (all pages; progress on stderr)
  s3://BUCKET/PREFIX     every object under the prefix, as ALB access logs
                         and CloudFront standard logs are delivered
                         (.log.gz); with --since, objects whose key time
                         ends earlier are skipped unread (progress on stderr)
AWS credentials come from the SDK's default chain (environment, shared
config, ECS/EC2 role).

A report whose lines are mostly unparsable is still printed, then the
command exits 1 and names a format that reads them.

Real client IP: X-Forwarded-For is believed only from --trusted-proxies (the
load balancer's range); ALB access logs carry the real client themselves.`

func runLogsReport(ctx context.Context, args []string, std stdio) error {
	const name = "logs report"
	fs := newFlagSet(name, logsReportSynopsis, std.out)
	format := fs.String("format", "auto", "log format: auto (per line: AWS WAF, voicewatch JSON, CloudFront, ALB, common/combined, then the shipped rule sets),\n"+
		"alb (AWS ALB access log), cloudfront (CloudFront standard log), waf (AWS WAF log), clf (common/combined access log),\njson (voicewatch JSON events), "+
		"rules:FILE (a YAML rule set) or rules:NAME (shipped: "+strings.Join(logs.ShippedRuleSets(), ", ")+")")
	since := fs.Duration("since", 0, "only count lines within this duration (e.g. 2h, 90m) of the newest line read\n"+
		"(for cloudwatch:LOG_GROUP sources: of now, the events' own timestamps); 0 = all lines")
	asJSON := fs.Bool("json", false, "write the report as JSON instead of text")
	region := fs.String("region", "", "AWS region for cloudwatch: and s3:// sources (default: from the AWS environment/config)")
	endpoint := fs.String("endpoint", "", "CloudWatch Logs / S3 endpoint URL override (tests, LocalStack, MinIO; S3 then uses path-style URLs)")
	trustedFlag := fs.String("trusted-proxies", prefixList(logs.DefaultTrustedProxies),
		"comma-separated CIDR ranges of proxies (the ALB) whose X-Forwarded-For is believed; empty trusts none")
	routesFlag := fs.String("routes", "", "comma-separated globs of the paths the application serves (e.g. /,/ws,/health,/static/**);\n"+
		"a request for any other path counts as scanner traffic (unknown_route), never as an error. Empty: every path is served")
	top := fs.Int("top", 20, "how many scanner client IPs to list; the rest are summed as \"other\" (0 = all)")
	maxLine := fs.Int("max-line-bytes", tail.DefaultMaxLineBytes, "skip (and count) lines longer than this")
	if err := fs.parse(args, true); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fs.usagef("no source: give FILE..., - (stdin), cloudwatch:LOG_GROUP or s3://BUCKET/PREFIX")
	}
	if *since < 0 || *top < 0 || *maxLine <= 0 {
		return fs.usagef("--since and --top must not be negative, --max-line-bytes must be positive")
	}
	trusted, err := logs.ParsePrefixes(*trustedFlag)
	if err != nil {
		return fs.usagef("--trusted-proxies: %v", err)
	}
	if _, err := logs.ParseFormat(*format); err != nil {
		return fs.usagef("--format: %v", err)
	}
	rep, err := logs.BuildReport(ctx, logs.ReportConfig{
		Sources: fs.Args(), Format: *format, Since: *since, TrustedProxies: trusted,
		Top: *top, MaxLineBytes: *maxLine, Region: *region, Endpoint: *endpoint, Routes: splitList(*routesFlag),
	}, logs.WithReportStdin(std.in), logs.WithReportProgress(std.errOut))
	if err != nil {
		return asUsage(name, awserr.Explain(err), logs.ErrInvalidConfig)
	}
	if *asJSON {
		enc := json.NewEncoder(std.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	} else if err := writeTextReport(std.out, rep); err != nil {
		return err
	}
	return mostlyUnparsable(rep, *format)
}

// mostlyUnparsable fails a report whose input is mostly unparsable: its
// numbers describe a fraction of the log, and the format is probably wrong.
func mostlyUnparsable(rep *logs.Report, format string) error {
	if rep.Lines == 0 || 2*rep.Unparsable <= rep.Lines {
		return nil
	}
	msg := fmt.Sprintf("%d of %d lines (%.0f%%) are unparsable as --format %s", rep.Unparsable, rep.Lines,
		100*float64(rep.Unparsable)/float64(rep.Lines), format)
	if rep.SuggestedFormat != "" {
		return fmt.Errorf("%s; they parse as --format %s", msg, rep.SuggestedFormat)
	}
	return fmt.Errorf("%s; no known format reads them: write a rule set (--format rules:FILE, see docs)", msg)
}

// splitList splits a comma-separated flag value, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// prefixList joins prefixes with commas, as --trusted-proxies takes them.
func prefixList(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}
