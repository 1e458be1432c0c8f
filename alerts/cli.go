package alerts

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
)

const usage = `Usage: agent alerts <command> [flags]

Alerts as code: Prometheus rules, Alertmanager routes, CloudWatch alarms.

Commands:
  export --out DIR          write prometheus/voicewatch.rules.yml,
                            alertmanager/alertmanager.yml and
                            cloudwatch/cloudwatch.json under DIR
  apply --cloudwatch        create or update the SNS topic, log metric filters
                            and alarms; only what differs is written, and a
                            second run reports "no changes"; placeholder
                            resource IDs (cloudwatch.load_balancer, ...) are
                            refused
        [--dry-run]         describe only: print what would change, write
                            nothing (offline without AWS credentials)
        [--verify]          run TestMetricFilter for every metric filter
                            against its sample lines
        [--email ADDR]      add an SNS email subscription (confirm it from
                            the message SNS sends)
  test-notify --alarm NAME  set an alarm's state (default ALARM) to test the
        [--state STATE]     notification path; NAME with or without the prefix
  test-notify --inject      write the metric filters' sample lines (the bot's
                            and our JSON events) to their log groups: proves
                            filter -> metric -> alarm -> SNS in a real account
  receive [--listen ADDR]   an Alertmanager webhook receiver: POST a notification
                            to any path (e.g. /pager, /ticket) and it is written
                            to stdout as one JSON line; GET /-/healthy
                            (default listen ` + DefaultReceiverListen + `)

Common flags:
  --config FILE             YAML config (see alerts.Config; unknown keys are errors)
  --service NAME            the sidecar's static CloudWatch dimension Service
                            (cloudwatch.service; default voicewatch)
  --environment NAME        the sidecar's static CloudWatch dimension Environment
                            (cloudwatch.environment; default production)
  --time-scale N            divide every window and 'for' by N (export only; for
                            fast end-to-end tests)
  --region REGION           AWS region (default: from the AWS config/environment)

AWS credentials and endpoints come from the standard AWS environment and
config files (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, ...).
`

type awsClients = AWSClients

// RunAlerts implements `agent alerts export|apply|test-notify|receive`. args are
// the arguments after "alerts". --help prints usage to stdout and returns
// nil; usage errors wrap ErrUsage.
func RunAlerts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runAlerts(ctx, args, stdout, stderr, DefaultAWSClients)
}

func runAlerts(ctx context.Context, args []string, stdout, stderr io.Writer, clients awsClients) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: missing command (export, apply, test-notify or receive)", ErrUsage)
	}
	cmd := args[0]
	if cmd == "-h" || cmd == "--help" || cmd == "help" {
		_, err := fmt.Fprint(stdout, usage)
		return err
	}
	fs := flag.NewFlagSet("agent alerts "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfgPath := fs.String("config", "", "YAML config file")
	region := fs.String("region", "", "AWS region")
	var dims staticDims
	dims.register(fs)
	var out, alarm, state, listen, email string
	var timeScale int
	var useCW, dryRun, verify, inject bool
	switch cmd {
	case "export":
		fs.StringVar(&out, "out", "", "output directory")
		fs.IntVar(&timeScale, "time-scale", 1, "divide windows and for by N")
	case "apply":
		fs.BoolVar(&useCW, "cloudwatch", false, "apply to CloudWatch")
		fs.BoolVar(&dryRun, "dry-run", false, "describe only")
		fs.BoolVar(&verify, "verify", false, "run TestMetricFilter for every metric filter against its samples")
		fs.StringVar(&email, "email", "", "add an SNS email subscription (it must be confirmed)")
	case "test-notify":
		fs.StringVar(&alarm, "alarm", "", "alarm name")
		fs.StringVar(&state, "state", "ALARM", "state to set")
		fs.BoolVar(&inject, "inject", false, "write the metric filters' sample lines to their log groups")
	case "receive":
		fs.StringVar(&listen, "listen", DefaultReceiverListen, "listen address")
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: unknown command %q (export, apply, test-notify or receive)", ErrUsage, cmd)
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, err := fmt.Fprint(stdout, usage)
			return err
		}
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %v", ErrUsage, fs.Args())
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil)).With("component", "alerts")
	if cmd == "receive" {
		return runReceive(ctx, listen, stdout, logger)
	}
	cfg, err := loadConfigFile(*cfgPath)
	if err != nil {
		return err
	}
	if cfg, err = dims.apply(cfg); err != nil {
		return err
	}
	switch cmd {
	case "export":
		if out == "" {
			return fmt.Errorf("%w: export needs --out DIR", ErrUsage)
		}
		if cfg, err = New(cfg, WithTimeScale(timeScale)); err != nil {
			return err
		}
		written, err := cfg.Export(out)
		for _, p := range written {
			fmt.Fprintln(stdout, "wrote", p)
		}
		return err
	case "apply":
		if !useCW {
			return fmt.Errorf("%w: apply needs a target: --cloudwatch (Prometheus and Alertmanager files are deployed from `export`)", ErrUsage)
		}
		return RunApply(ctx, cfg, ApplyOptions{DryRun: dryRun, Verify: verify, Email: email, Region: *region, Clients: clients, Logger: logger}, stdout)
	default: // test-notify
		return RunTestNotify(ctx, cfg, TestNotifyOptions{Alarm: alarm, State: state, Inject: inject, Region: *region, Clients: clients}, stdout)
	}
}

// runReceive serves the webhook receiver until ctx ends: notifications go to
// stdout as JSON lines, the receiver's own logs to the logger.
func runReceive(ctx context.Context, listen string, stdout io.Writer, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("alert receiver: listen %s: %w", listen, err)
	}
	logger.Info("alert receiver listening", "addr", ln.Addr().String())
	return NewReceiver(stdout, ReceiverConfig{}, WithReceiverLogger(logger)).Serve(ctx, ln)
}

// loadConfigFile reads the YAML config, or returns the defaults for "".
func loadConfigFile(path string) (Config, error) {
	if path == "" {
		return New(Config{})
	}
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("alerts config: %w", err)
	}
	defer f.Close()
	c, err := LoadConfig(f)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// staticDims are the --service and --environment flags: the sidecar's
// static CloudWatch dimensions the alarms select our metrics by.
type staticDims struct{ service, environment string }

func (d *staticDims) register(fs *flag.FlagSet) {
	fs.StringVar(&d.service, "service", "", "the sidecar's static dimension Service")
	fs.StringVar(&d.environment, "environment", "", "the sidecar's static dimension Environment")
}

// apply sets the flags that were given on cfg and validates the result.
func (d staticDims) apply(cfg Config) (Config, error) {
	if d.service == "" && d.environment == "" {
		return cfg, nil
	}
	if d.service != "" {
		cfg.CloudWatch.Service = d.service
	}
	if d.environment != "" {
		cfg.CloudWatch.Environment = d.environment
	}
	return New(cfg)
}
