//go:build !sidecaronly

package main

import (
	"context"
	"fmt"
	"net"

	"github.com/voicewatch/voicewatch/alerts"
)

const alertsHelp = `Usage: agent alerts export|apply|test-notify|receive [flags]

Alerts as code: Prometheus rules, Alertmanager routes, CloudWatch alarms and
log metric filters, and a webhook receiver that logs notifications.

Commands:
  export --out DIR          write the Prometheus rules, the Alertmanager config,
                            the CloudWatch definitions and the runbooks under DIR
  apply --cloudwatch        create or update the SNS topic, log metric filters
                            and alarms (--dry-run: describe only)
  test-notify --alarm NAME  set an alarm's state to test the notification path
  receive                   an Alertmanager webhook receiver that prints each
                            notification as one JSON line

Run 'agent alerts COMMAND --help' for the flags of a command.
`

func runAlerts(ctx context.Context, args []string, std stdio) error {
	return runAlertsWith(ctx, args, std, alerts.DefaultAWSClients)
}

func runAlertsWith(ctx context.Context, args []string, std stdio, aws alerts.AWSClients) error {
	sub, rest, err := subcommand("alerts", alertsHelp, []string{"export", "apply", "test-notify", "receive"}, args, std.out)
	if err != nil {
		return err
	}
	switch sub {
	case "export":
		return runAlertsExport(rest, std)
	case "apply":
		return runAlertsApply(ctx, rest, std, aws)
	case "test-notify":
		return runAlertsTestNotify(ctx, rest, std, aws)
	default:
		return runAlertsReceive(ctx, rest, std)
	}
}

// alertsConfigFlag adds --config, --service and --environment and returns
// a loader for the config with the flags applied.
func alertsConfigFlag(fs *flagSet) func() (alerts.Config, error) {
	load := configFileFlag(fs, "YAML config file (the fields of alerts.Config; unknown keys are errors;\ndefault: the built-in defaults, which generate the committed files)",
		alerts.LoadConfig, func() (alerts.Config, error) { return alerts.New(alerts.Config{}) })
	service := fs.String("service", "", "the sidecar's static CloudWatch dimension Service the alarms select by\n(overrides cloudwatch.service; default "+alerts.DefaultService+")")
	environment := fs.String("environment", "", "the sidecar's static CloudWatch dimension Environment the alarms select by\n(overrides cloudwatch.environment; default production)")
	return func() (alerts.Config, error) {
		cfg, err := load()
		if err != nil || *service == "" && *environment == "" {
			return cfg, err
		}
		if *service != "" {
			cfg.CloudWatch.Service = *service
		}
		if *environment != "" {
			cfg.CloudWatch.Environment = *environment
		}
		return alerts.New(cfg)
	}
}

const alertsExportSynopsis = `alerts export --out DIR [--config FILE] [--time-scale N]

Writes prometheus/voicewatch.rules.yml, alertmanager/alertmanager.yml,
cloudwatch/cloudwatch.json and runbooks/*.md under DIR and prints each path
written (DIR/...). The runbooks render the runbooks: section of --config (team,
contact, escalation steps, AWS and ElevenLabs support links, ECS task family,
URLs), so a team writes its owners and escalation path once. The committed
copies live in alerts/ and docs/runbooks/ of the repository.`

func runAlertsExport(args []string, std stdio) error {
	fs := newFlagSet("alerts export", alertsExportSynopsis, std.out)
	out := fs.String("out", "", "output directory (required)")
	timeScale := fs.Int("time-scale", 1, "divide every window and 'for' by N (for fast end-to-end tests)")
	loadCfg := alertsConfigFlag(fs)
	if err := fs.parse(args, false); err != nil {
		return err
	}
	if *out == "" {
		return fs.usagef("--out DIR is required")
	}
	if *timeScale < 1 {
		return fs.usagef("--time-scale must be at least 1")
	}
	cfg, err := loadCfg()
	if err != nil {
		return err
	}
	if cfg, err = alerts.New(cfg, alerts.WithTimeScale(*timeScale)); err != nil {
		return err
	}
	written, err := cfg.Export(*out)
	for _, p := range written {
		fmt.Fprintln(std.out, "wrote", p)
	}
	return err
}

const alertsApplySynopsis = `alerts apply --cloudwatch [--dry-run] [flags]

Creates or updates the SNS topic, the log metric filters and the alarms in
CloudWatch; only what differs is written, and a second run reports "no
changes". Prometheus and Alertmanager files are deployed from 'export'.
AWS credentials and endpoints come from the standard AWS environment and
config files (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, ...).`

func runAlertsApply(ctx context.Context, args []string, std stdio, aws alerts.AWSClients) error {
	fs := newFlagSet("alerts apply", alertsApplySynopsis, std.out)
	useCW := fs.Bool("cloudwatch", false, "apply to CloudWatch (required)")
	dryRun := fs.Bool("dry-run", false, "describe only: print what would change, write nothing (offline without AWS credentials)")
	verify := fs.Bool("verify", false, "run CloudWatch Logs TestMetricFilter for every metric filter against its sample lines")
	email := fs.String("email", "", "add an SNS email subscription of the alarm topic (it must be confirmed from the message SNS sends)")
	region := fs.String("region", "", "AWS region (default: from the AWS config/environment)")
	loadCfg := alertsConfigFlag(fs)
	var lf logFlags
	lf.register(fs, "info", "text")
	if err := fs.parse(args, false); err != nil {
		return err
	}
	if !*useCW {
		return fs.usagef("apply needs a target: --cloudwatch (Prometheus and Alertmanager files are deployed from 'export')")
	}
	log, err := lf.logger(fs.command, std.errOut)
	if err != nil {
		return err
	}
	cfg, err := loadCfg()
	if err != nil {
		return err
	}
	err = alerts.RunApply(ctx, cfg, alerts.ApplyOptions{DryRun: *dryRun, Verify: *verify, Email: *email, Region: *region,
		Clients: aws, Logger: log.With("component", "alerts")}, std.out)
	return asUsage(fs.command, err, alerts.ErrUsage)
}

const alertsTestNotifySynopsis = `alerts test-notify --alarm NAME [--state STATE] | --inject [flags]

--alarm sets a CloudWatch alarm's state (default ALARM) to test the
notification path: subscribers of the alarm's SNS topic should be notified.
NAME may be given with or without the configured prefix.

--inject writes the metric filters' sample lines (the bot's log lines and
the media core's JSON events) to their log groups, which proves the whole
path filter -> metric -> alarm -> SNS in a real account.`

func runAlertsTestNotify(ctx context.Context, args []string, std stdio, aws alerts.AWSClients) error {
	fs := newFlagSet("alerts test-notify", alertsTestNotifySynopsis, std.out)
	alarm := fs.String("alarm", "", "alarm name")
	state := fs.String("state", "ALARM", "state to set: ALARM, OK or INSUFFICIENT_DATA")
	inject := fs.Bool("inject", false, "write the metric filters' sample lines to their log groups")
	region := fs.String("region", "", "AWS region (default: from the AWS config/environment)")
	loadCfg := alertsConfigFlag(fs)
	if err := fs.parse(args, false); err != nil {
		return err
	}
	if *alarm == "" && !*inject {
		return fs.usagef("give --alarm NAME and/or --inject")
	}
	cfg, err := loadCfg()
	if err != nil {
		return err
	}
	err = alerts.RunTestNotify(ctx, cfg, alerts.TestNotifyOptions{Alarm: *alarm, State: *state, Inject: *inject, Region: *region, Clients: aws}, std.out)
	return asUsage(fs.command, err, alerts.ErrUsage)
}

const alertsReceiveSynopsis = `alerts receive [--listen ADDR] [flags]

An Alertmanager webhook receiver: POST a notification to any path (e.g.
/pager, /ticket) and it is written to stdout as one JSON line; GET
/-/healthy answers 200. Runs until interrupted.`

func runAlertsReceive(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet("alerts receive", alertsReceiveSynopsis, std.out)
	listen := fs.String("listen", alerts.DefaultReceiverListen, "listen address")
	var lf logFlags
	lf.register(fs, "info", "text")
	if err := fs.parse(args, false); err != nil {
		return err
	}
	log, err := lf.logger(fs.command, std.errOut)
	if err != nil {
		return err
	}
	log = log.With("component", "alerts")
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("alert receiver: listen %s: %w", *listen, err)
	}
	log.Info("alert receiver listening", "addr", ln.Addr().String())
	return alerts.NewReceiver(std.out, alerts.ReceiverConfig{}, alerts.WithReceiverLogger(log)).Serve(ctx, ln)
}
