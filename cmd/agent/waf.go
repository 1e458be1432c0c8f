//go:build !sidecaronly

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"

	"github.com/voicewatch/voicewatch/internal/waf"
	"github.com/voicewatch/voicewatch/voice"
)

const wafHelp = `Usage: agent waf export|apply [flags]

Edge protection as code: an AWS WAF web ACL whose custom rules are generated
from the same signature table as the media core's HTTP guard, next to AWS
managed rule groups (Core Rule Set, Known Bad Inputs, IP reputation), a rate
limit per client IP (2000 per 5 minutes) and an optional geographic rule in
Count mode; every rule publishes CloudWatch metrics (AWS/WAFV2).

Commands:
  export --out DIR   write the CreateWebACL input (web-acl.json, for
                     aws wafv2 create-web-acl --cli-input-json) and, with
                     --log-destination, the PutLoggingConfiguration input
  apply              create or update the web ACL, its logging, its
                     association with an ALB (--alb) and the ALB's access
                     logs (--alb-access-logs); --dry-run describes only

Run 'agent waf COMMAND --help' for the flags of a command.
`

// wafAWS builds the AWS APIs waf apply uses.
type wafAWS func(ctx context.Context, region string) (waf.WAFAPI, waf.ELBAPI, error)

func defaultWafAWS(ctx context.Context, region string) (waf.WAFAPI, waf.ELBAPI, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("load AWS config: %w", err)
	}
	return wafv2.NewFromConfig(cfg), elb.NewFromConfig(cfg), nil
}

func runWaf(ctx context.Context, args []string, std stdio) error {
	return runWafWith(ctx, args, std, defaultWafAWS)
}

func runWafWith(ctx context.Context, args []string, std stdio, aws wafAWS) error {
	sub, rest, err := subcommand("waf", wafHelp, []string{"export", "apply"}, args, std.out)
	if err != nil {
		return err
	}
	if sub == "export" {
		return runWafExport(ctx, rest, std)
	}
	return runWafApply(ctx, rest, std, aws)
}

// wafConfigFlags adds the flags that describe the web ACL and returns a
// loader: --config FILE first, then every flag given on the command line.
func wafConfigFlags(fs *flagSet) func() (waf.Config, error) {
	path := fs.String("config", "", "YAML file with the fields of the web ACL config (name, scope, behind_cloudfront, rate_limit,\n"+
		"rate_window_seconds, extra_rule_sets, geo_count_countries, routes, log_destination_arn, wcu_budget);\nflags given on the command line override it")
	name := fs.String("name", waf.DefaultName, "web ACL name; also the prefix of its rule and metric names")
	scope := fs.String("scope", waf.DefaultScope, "REGIONAL (an Application Load Balancer) or CLOUDFRONT (a distribution; manage it from us-east-1)")
	behindCF := fs.Bool("behind-cloudfront", false, "the ALB is behind CloudFront: rate-limit and geo-match the client in X-Forwarded-For")
	rate := fs.Int64("rate-limit", waf.DefaultRateLimit, "requests per client IP per --rate-window before the rate-based rule blocks")
	window := fs.Int64("rate-window", waf.DefaultRateWindowSeconds, "rate-based rule window in seconds: 60, 120, 300 or 600")
	extra := fs.String("extra-rule-sets", "", "comma-separated optional AWS managed rule sets: "+strings.Join(waf.OptionalRuleSets, ", "))
	geo := fs.String("geo-count", "", "comma-separated ISO country codes (e.g. CN,RU) counted, never blocked, by a geographic rule")
	routes := fs.String("routes", strings.Join(voice.GuardRoutes, ","), "comma-separated globs of the paths the application serves; other paths are blocked\n(empty: no route rule; default: the media core's routes)")
	logDest := fs.String("log-destination", "", "ARN of the WAF log destination: a CloudWatch Logs group named aws-waf-logs-*, an S3 bucket or a Firehose stream")
	budget := fs.Int("wcu-budget", waf.DefaultWCUBudget, "most web ACL capacity units to accept (1500 at the base price, at most 5000)")
	return func() (waf.Config, error) {
		var cfg waf.Config
		if *path != "" {
			f, err := os.Open(*path)
			if err != nil {
				return cfg, fs.usagef("--config: %v", err)
			}
			defer f.Close()
			if cfg, err = waf.LoadConfig(f); err != nil {
				return cfg, fmt.Errorf("%s: %w", *path, err)
			}
		} else {
			cfg.Routes = voice.GuardRoutes
		}
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "name":
				cfg.Name = *name
			case "scope":
				cfg.Scope = strings.ToUpper(*scope)
			case "behind-cloudfront":
				cfg.BehindCloudFront = *behindCF
			case "rate-limit":
				cfg.RateLimit = *rate
			case "rate-window":
				cfg.RateWindowSeconds = *window
			case "extra-rule-sets":
				cfg.ExtraRuleSets = splitList(*extra)
			case "geo-count":
				cfg.GeoCountCountries = splitList(strings.ToUpper(*geo))
			case "routes":
				cfg.Routes = splitList(*routes)
			case "log-destination":
				cfg.LogDestinationARN = *logDest
			case "wcu-budget":
				cfg.WCUBudget = *budget
			}
		})
		if err := cfg.Validate(); err != nil {
			return cfg, fs.usagef("%v", err)
		}
		return cfg, nil
	}
}

const wafExportSynopsis = `waf export --out DIR [flags]

Writes DIR/web-acl.json, the CreateWebACL input exactly as the AWS SDK sends
it (checked by the SDK's own input validation), and with --log-destination
DIR/logging-configuration.json, the PutLoggingConfiguration input; prints
each path written and the web ACL's capacity in WCUs, rule by rule:

  aws wafv2 create-web-acl --cli-input-json file://DIR/web-acl.json
  aws wafv2 put-logging-configuration --cli-input-json file://DIR/logging-configuration.json

(replace WEB_ACL_ARN in the second file with the ARN the first command
prints, or pass --web-acl-arn). UpdateWebACL takes the same fields plus the
Id and LockToken from 'aws wafv2 get-web-acl'; 'agent waf apply' does all of
it idempotently. The committed copy lives in deploy/waf/.`

func runWafExport(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet("waf export", wafExportSynopsis, std.out)
	out := fs.String("out", "", "output directory (required)")
	aclARN := fs.String("web-acl-arn", "", "ARN of the existing web ACL, written into the logging configuration")
	load := wafConfigFlags(fs)
	if err := fs.parse(args, false); err != nil {
		return err
	}
	if *out == "" {
		return fs.usagef("--out DIR is required")
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	plan, err := waf.Build(cfg)
	if err != nil {
		return asUsage(fs.command, err, waf.ErrInvalidConfig, waf.ErrOverBudget)
	}
	written, err := plan.Export(ctx, *out, *aclARN)
	for _, p := range written {
		fmt.Fprintln(std.out, "wrote", p)
	}
	if err != nil {
		return err
	}
	return writeCapacity(std, plan)
}

func writeCapacity(std stdio, plan *waf.Plan) error {
	fmt.Fprintf(std.out, "capacity %d WCUs of a budget of %d:\n", plan.Capacity, plan.Budget)
	for _, r := range plan.Rules {
		fmt.Fprintf(std.out, "  %-36s %4d\n", r.Name, r.WCU)
	}
	return nil
}

const wafApplySynopsis = `waf apply [--dry-run] [--alb NAME|ARN] [--alb-access-logs s3://BUCKET/PREFIX] [flags]

Creates or updates the web ACL (only what differs is written; a second run
reports "no changes"), its logging configuration (--log-destination), its
association with an Application Load Balancer (--alb, REGIONAL scope) and
the ALB's access logs (--alb-access-logs; the bucket policy must let the
ELB service write). The capacity is checked with CheckCapacity before
anything is written. AWS credentials, region and endpoints come from the
standard AWS environment and config files (AWS_PROFILE, AWS_REGION,
AWS_ENDPOINT_URL_WAFV2, ...).`

func runWafApply(ctx context.Context, args []string, std stdio, aws wafAWS) error {
	fs := newFlagSet("waf apply", wafApplySynopsis, std.out)
	dryRun := fs.Bool("dry-run", false, "describe only: print what would change, write nothing")
	alb := fs.String("alb", "", "Application Load Balancer to protect, by name or ARN")
	accessLogs := fs.String("alb-access-logs", "", "turn on the ALB's access logs to s3://BUCKET/PREFIX (needs --alb)")
	region := fs.String("region", "", "AWS region (default: from the AWS config/environment)")
	load := wafConfigFlags(fs)
	var lf logFlags
	lf.register(fs, "info", "text")
	if err := fs.parse(args, false); err != nil {
		return err
	}
	if *accessLogs != "" {
		if *alb == "" {
			return fs.usagef("--alb-access-logs needs --alb")
		}
		if _, _, err := waf.ParseS3URL(*accessLogs); err != nil {
			return fs.usagef("--alb-access-logs: %v", err)
		}
	}
	log, err := lf.logger(fs.command, std.errOut)
	if err != nil {
		return err
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	if *alb != "" && cfg.Scope == waf.ScopeCloudFront {
		return fs.usagef("--alb needs --scope REGIONAL; a CLOUDFRONT web ACL is attached to the distribution")
	}
	plan, err := waf.Build(cfg)
	if err != nil {
		return asUsage(fs.command, err, waf.ErrInvalidConfig, waf.ErrOverBudget)
	}
	wafAPI, elbAPI, err := aws(ctx, *region)
	if err != nil {
		return err
	}
	res, err := waf.NewApplier(wafAPI, elbAPI, log.With("component", "waf")).Apply(ctx, plan, waf.Target{ALB: *alb, AccessLogs: *accessLogs}, *dryRun)
	if res != nil {
		if rerr := res.Report(std.out); err == nil {
			err = rerr
		}
	}
	if errors.Is(err, waf.ErrNotFound) {
		return fs.usagef("%v", err)
	}
	return err
}
