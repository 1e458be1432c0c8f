package main

import (
	"context"
	"fmt"
	"net"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/voicewatch/voicewatch/alerts"
)

const alertsHelp = `Usage: agent alerts export|apply|test-notify|receive [flags]

Alerts as code: Prometheus rules, Alertmanager routes, CloudWatch alarms and
log metric filters, and a webhook receiver that logs notifications.

Commands:
  export --out DIR          write the Prometheus rules, the Alertmanager config
                            and the CloudWatch definitions under DIR
  apply --cloudwatch        create or update the SNS topic, log metric filters
                            and alarms (--dry-run: describe only)
  test-notify --alarm NAME  set an alarm's state to test the notification path
  receive                   an Alertmanager webhook receiver that prints each
                            notification as one JSON line

Run 'agent alerts COMMAND --help' for the flags of a command.
`

// alertsAWS builds the AWS APIs alerts apply and test-notify use.
type alertsAWS func(ctx context.Context, region string) (alerts.CloudWatchAPI, alerts.LogsAPI, alerts.TopicAPI, error)

func defaultAlertsAWS(ctx context.Context, region string) (alerts.CloudWatchAPI, alerts.LogsAPI, alerts.TopicAPI, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("load AWS config: %w", err)
	}
	return cloudwatch.NewFromConfig(cfg), cloudwatchlogs.NewFromConfig(cfg), alerts.NewSNSTopics(sns.NewFromConfig(cfg)), nil
}

func runAlerts(ctx context.Context, args []string, std stdio) error {
	return runAlertsWith(ctx, args, std, defaultAlertsAWS)
}

func runAlertsWith(ctx context.Context, args []string, std stdio, aws alertsAWS) error {
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

// alertsConfigFlag adds --config and returns a loader for it.
func alertsConfigFlag(fs *flagSet) func() (alerts.Config, error) {
	return configFileFlag(fs, "YAML config file (the fields of alerts.Config; unknown keys are errors;\ndefault: the built-in defaults, which generate the committed files)",
		alerts.LoadConfig, func() (alerts.Config, error) { return alerts.New(alerts.Config{}) })
}

// cloudWatchDefinitions loads the config and builds its CloudWatch
// definitions.
func cloudWatchDefinitions(loadCfg func() (alerts.Config, error)) (alerts.CloudWatchDefinitions, error) {
	cfg, err := loadCfg()
	if err != nil {
		return alerts.CloudWatchDefinitions{}, err
	}
	return cfg.CloudWatchDefinitions()
}

const alertsExportSynopsis = `alerts export --out DIR [--config FILE] [--time-scale N]

Writes prometheus/voicewatch.rules.yml, alertmanager/alertmanager.yml and
cloudwatch/cloudwatch.json under DIR and prints each path written (DIR/...).
The committed copies live in alerts/ of the repository.`

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

func runAlertsApply(ctx context.Context, args []string, std stdio, aws alertsAWS) error {
	fs := newFlagSet("alerts apply", alertsApplySynopsis, std.out)
	useCW := fs.Bool("cloudwatch", false, "apply to CloudWatch (required)")
	dryRun := fs.Bool("dry-run", false, "describe only: print what would change, write nothing")
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
	defs, err := cloudWatchDefinitions(loadCfg)
	if err != nil {
		return err
	}
	cw, logsAPI, topics, err := aws(ctx, *region)
	if err != nil {
		return err
	}
	res, err := alerts.NewApplier(cw, logsAPI, topics, log.With("component", "alerts")).Apply(ctx, defs, *dryRun)
	if rerr := res.Report(std.out); err == nil {
		err = rerr
	}
	return err
}

const alertsTestNotifySynopsis = `alerts test-notify --alarm NAME [--state STATE] [flags]

Sets a CloudWatch alarm's state (default ALARM) to test the notification
path: subscribers of the alarm's SNS topic should be notified. NAME may be
given with or without the configured prefix.`

func runAlertsTestNotify(ctx context.Context, args []string, std stdio, aws alertsAWS) error {
	fs := newFlagSet("alerts test-notify", alertsTestNotifySynopsis, std.out)
	alarm := fs.String("alarm", "", "alarm name (required)")
	state := fs.String("state", "ALARM", "state to set: ALARM, OK or INSUFFICIENT_DATA")
	region := fs.String("region", "", "AWS region (default: from the AWS config/environment)")
	loadCfg := alertsConfigFlag(fs)
	if err := fs.parse(args, false); err != nil {
		return err
	}
	if *alarm == "" {
		return fs.usagef("--alarm NAME is required")
	}
	defs, err := cloudWatchDefinitions(loadCfg)
	if err != nil {
		return err
	}
	cw, _, _, err := aws(ctx, *region)
	if err != nil {
		return err
	}
	if err := alerts.TestNotify(ctx, cw, defs, *alarm, *state); err != nil {
		return asUsage(fs.command, err, alerts.ErrUsage)
	}
	_, err = fmt.Fprintf(std.out, "alarm %s set to %s; subscribers of the topic should be notified\n", *alarm, *state)
	return err
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
