package dashboards

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
)

const usage = `Usage:
  agent dashboards export --out DIR [--config FILE]
  agent dashboards apply --grafana-url URL [--config FILE]
  agent dashboards apply --cloudwatch [--dry-run] [--region REGION] [--config FILE]

Dashboards as code for voicewatch.

export writes the four Grafana dashboards (DIR/grafana/*.json), the
CloudWatch dashboard body (DIR/cloudwatch/NAME.json) and the Grafana
provisioning files (DIR/provisioning/...). The committed copies live in
dashboards/ of the repository: run "agent dashboards export --out dashboards".

apply --grafana-url creates the folder if missing and upserts every dashboard
through the Grafana HTTP API. The token is read from the environment variable
GRAFANA_TOKEN (a service account token with the Editor role); it is never
accepted on the command line. Dashboards that are already up to date are left
alone, so a second run reports "unchanged".

apply --cloudwatch puts the CloudWatch dashboard with PutDashboard, using the
standard AWS configuration (environment, shared config, ECS task role).
--dry-run makes no API call and prints the body instead.

--config FILE is a YAML file with the fields of dashboards.Config (unknown
fields are errors); without it the defaults generate the committed JSON.

Flags:
`

// RunDashboards implements `agent dashboards`. args excludes "dashboards"
// itself. It writes results to stdout and logs to stderr, and returns an
// error wrapping ErrUsage for bad usage. --help prints usage and returns nil.
func RunDashboards(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runDashboards(ctx, args, stdout, stderr, os.Getenv)
}

func runDashboards(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("agent dashboards", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "export: directory to write into")
	configFile := fs.String("config", "", "YAML config file (default: built-in defaults)")
	grafanaURL := fs.String("grafana-url", "", "apply: Grafana base URL, e.g. http://127.0.0.1:3000 (token from GRAFANA_TOKEN)")
	toCloudWatch := fs.Bool("cloudwatch", false, "apply: put the CloudWatch dashboard")
	dryRun := fs.Bool("dry-run", false, "apply --cloudwatch: make no API call, print the body")
	region := fs.String("region", "", "apply --cloudwatch: AWS region (default: from the AWS configuration)")
	verbose := fs.Bool("v", false, "log debug messages")
	service := fs.String("service", "", "CloudWatch: the sidecar's static dimension Service (overrides cloudwatch.service; default voicewatch)")
	environment := fs.String("environment", "", "CloudWatch: the sidecar's static dimension Environment (overrides cloudwatch.environment; default production)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fs.Usage()
		if len(args) == 0 {
			return fmt.Errorf("%w: missing subcommand (export or apply)", ErrUsage)
		}
		return nil
	}
	sub := args[0]
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", ErrUsage, fs.Args())
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	cfg := Config{}
	if *configFile != "" {
		f, err := os.Open(*configFile)
		if err != nil {
			return fmt.Errorf("%w: --config: %w", ErrUsage, err)
		}
		cfg, err = LoadConfig(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("--config %s: %w", *configFile, err)
		}
	}
	if *region != "" {
		cfg.CloudWatch.Region = *region
	}
	if *service != "" {
		cfg.CloudWatch.Service = *service
	}
	if *environment != "" {
		cfg.CloudWatch.Environment = *environment
	}
	g, err := New(cfg, WithLogger(logger))
	if err != nil {
		return err
	}

	switch sub {
	case "export":
		if *out == "" {
			return fmt.Errorf("%w: export needs --out DIR", ErrUsage)
		}
		files, err := g.Export(*out)
		if err != nil {
			return err
		}
		for _, f := range files {
			fmt.Fprintf(stdout, "wrote %s\n", strings.TrimPrefix(f.Path, "/"))
		}
		return nil
	case "apply":
		if *grafanaURL == "" && !*toCloudWatch {
			return fmt.Errorf("%w: apply needs --grafana-url URL and/or --cloudwatch", ErrUsage)
		}
		if *dryRun && !*toCloudWatch {
			return fmt.Errorf("%w: --dry-run applies to --cloudwatch only", ErrUsage)
		}
		if *grafanaURL != "" {
			results, err := g.ApplyGrafana(ctx, *grafanaURL, getenv("GRAFANA_TOKEN"))
			printResults(stdout, results...)
			if err != nil {
				return err
			}
		}
		if *toCloudWatch {
			return applyCloudWatch(ctx, g, *dryRun, *region, stdout)
		}
		return nil
	default:
		return fmt.Errorf("%w: unknown subcommand %q (want export or apply)", ErrUsage, sub)
	}
}

func applyCloudWatch(ctx context.Context, g *Generator, dryRun bool, region string, stdout io.Writer) error {
	var api CloudWatchAPI
	if !dryRun {
		var opts []func(*config.LoadOptions) error
		if region != "" {
			opts = append(opts, config.WithRegion(region))
		}
		awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
		if err != nil {
			return fmt.Errorf("load AWS configuration: %w", err)
		}
		if awsCfg.Region == "" {
			return fmt.Errorf("%w: no AWS region: pass --region (e.g. --region us-east-1) or set AWS_REGION", ErrUsage)
		}
		api = cloudwatch.NewFromConfig(awsCfg)
	}
	res, err := g.ApplyCloudWatch(ctx, api, dryRun)
	if err != nil {
		return err
	}
	printResults(stdout, res)
	if dryRun {
		body, err := g.CloudWatchBody()
		if err != nil {
			return err
		}
		_, err = stdout.Write(body)
		return err
	}
	return nil
}

func printResults(w io.Writer, results ...ApplyResult) {
	for _, r := range results {
		fmt.Fprintf(w, "%s dashboard %s (%s): %s\n", r.Target, r.UID, r.Title, r.Action)
		for _, warn := range r.Warnings {
			fmt.Fprintf(w, "  warning: %s\n", warn)
		}
	}
}
