//go:build !sidecaronly

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/voicewatch/voicewatch/dashboards"
	"github.com/voicewatch/voicewatch/internal/awserr"
)

const dashboardsHelp = `Usage: agent dashboards export|apply [flags]

Dashboards as code for voicewatch: four Grafana dashboards and a CloudWatch
dashboard body, generated from Go.

Commands:
  export --out DIR               write the dashboards and Grafana provisioning files
  apply --grafana-url URL        upsert the Grafana dashboards (token from GRAFANA_TOKEN)
  apply --cloudwatch [--dry-run] put the CloudWatch dashboard

Run 'agent dashboards COMMAND --help' for the flags of a command.
`

func runDashboards(ctx context.Context, args []string, std stdio) error {
	sub, rest, err := subcommand("dashboards", dashboardsHelp, []string{"export", "apply"}, args, std.out)
	if err != nil {
		return err
	}
	if sub == "export" {
		return runDashboardsExport(rest, std)
	}
	return runDashboardsApply(ctx, rest, std, os.Getenv)
}

// dashboardsConfigFlag adds --config, --service and --environment and
// returns a loader for the config with the flags applied.
func dashboardsConfigFlag(fs *flagSet) func() (dashboards.Config, error) {
	load := configFileFlag(fs, "YAML file with the fields of dashboards.Config (unknown fields are errors;\ndefault: the built-in defaults, which generate the committed JSON)",
		dashboards.LoadConfig, func() (dashboards.Config, error) { return dashboards.Config{}, nil })
	service := fs.String("service", "", "the sidecar's static CloudWatch dimension Service the CloudWatch dashboard selects by\n(overrides cloudwatch.service; default voicewatch)")
	environment := fs.String("environment", "", "the sidecar's static CloudWatch dimension Environment the CloudWatch dashboard selects by\n(overrides cloudwatch.environment; default production)")
	return func() (dashboards.Config, error) {
		cfg, err := load()
		if err != nil {
			return cfg, err
		}
		if *service != "" {
			cfg.CloudWatch.Service = *service
		}
		if *environment != "" {
			cfg.CloudWatch.Environment = *environment
		}
		return cfg, nil
	}
}

const dashboardsExportSynopsis = `dashboards export --out DIR [--config FILE]

Writes the four Grafana dashboards (DIR/grafana/*.json), the CloudWatch
dashboard body (DIR/cloudwatch/NAME.json) and the Grafana provisioning files
(DIR/provisioning/...), and prints each path written (DIR/...). The committed
copies live in dashboards/ of the repository: run
"agent dashboards export --out dashboards".`

func runDashboardsExport(args []string, std stdio) error {
	fs := newFlagSet("dashboards export", dashboardsExportSynopsis, std.out)
	out := fs.String("out", "", "directory to write into (required)")
	loadCfg := dashboardsConfigFlag(fs)
	if err := fs.parse(args, false); err != nil {
		return err
	}
	if *out == "" {
		return fs.usagef("--out DIR is required")
	}
	cfg, err := loadCfg()
	if err != nil {
		return err
	}
	g, err := dashboards.New(cfg)
	if err != nil {
		return err
	}
	files, err := g.Export(*out)
	if err != nil {
		return err
	}
	for _, f := range files {
		fmt.Fprintf(std.out, "wrote %s\n", filepath.Join(*out, f.Path))
	}
	return nil
}

const dashboardsApplySynopsis = `dashboards apply --grafana-url URL | --cloudwatch [--dry-run] [flags]

--grafana-url creates the folder if missing and upserts every dashboard
through the Grafana HTTP API. The token is read from the environment
variable GRAFANA_TOKEN (a service account token with the Editor role); it is
never accepted on the command line. Dashboards already up to date are left
alone, so a second run reports "unchanged".

--cloudwatch puts the CloudWatch dashboard with PutDashboard, using the
standard AWS configuration (environment, shared config, ECS task role).
--dry-run makes no API call, needs no credentials, and prints the body.`

func runDashboardsApply(ctx context.Context, args []string, std stdio, getenv func(string) string) error {
	fs := newFlagSet("dashboards apply", dashboardsApplySynopsis, std.out)
	grafanaURL := fs.String("grafana-url", "", "Grafana base URL, e.g. http://127.0.0.1:3000 (token from GRAFANA_TOKEN)")
	toCloudWatch := fs.Bool("cloudwatch", false, "put the CloudWatch dashboard")
	dryRun := fs.Bool("dry-run", false, "with --cloudwatch: make no API call, print the body")
	region := fs.String("region", "", "with --cloudwatch: AWS region (default: from the AWS configuration)")
	loadCfg := dashboardsConfigFlag(fs)
	var lf logFlags
	lf.register(fs, "info", "text")
	if err := fs.parse(args, false); err != nil {
		return err
	}
	if *grafanaURL == "" && !*toCloudWatch {
		return fs.usagef("give --grafana-url URL and/or --cloudwatch")
	}
	if *dryRun && !*toCloudWatch {
		return fs.usagef("--dry-run applies to --cloudwatch only")
	}
	cfg, err := loadCfg()
	if err != nil {
		return err
	}
	if *region != "" {
		cfg.CloudWatch.Region = *region
	}
	log, err := lf.logger(fs.command, std.errOut)
	if err != nil {
		return err
	}
	g, err := dashboards.New(cfg, dashboards.WithLogger(log))
	if err != nil {
		return err
	}
	if *grafanaURL != "" {
		results, err := g.ApplyGrafana(ctx, *grafanaURL, getenv("GRAFANA_TOKEN"))
		printDashboardResults(std.out, results...)
		if err != nil {
			return asUsage(fs.command, err, dashboards.ErrUsage)
		}
	}
	if *toCloudWatch {
		return applyCloudWatchDashboard(ctx, g, *dryRun, *region, std.out)
	}
	return nil
}

func applyCloudWatchDashboard(ctx context.Context, g *dashboards.Generator, dryRun bool, region string, stdout io.Writer) error {
	var api dashboards.CloudWatchAPI
	if !dryRun {
		var opts []func(*config.LoadOptions) error
		if region != "" {
			opts = append(opts, config.WithRegion(region))
		}
		awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
		if err != nil {
			return awserr.Explain(fmt.Errorf("load AWS configuration: %w", err))
		}
		if err := awserr.RequireRegion(awsCfg); err != nil {
			return err
		}
		api = cloudwatch.NewFromConfig(awsCfg)
	}
	res, err := g.ApplyCloudWatch(ctx, api, dryRun)
	if err != nil {
		return awserr.Explain(err)
	}
	printDashboardResults(stdout, res)
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

func printDashboardResults(w io.Writer, results ...dashboards.ApplyResult) {
	for _, r := range results {
		fmt.Fprintf(w, "%s dashboard %s (%s): %s\n", r.Target, r.UID, r.Title, r.Action)
		for _, warn := range r.Warnings {
			fmt.Fprintf(w, "  warning: %s\n", warn)
		}
	}
}
