package alerts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/voicewatch/voicewatch/internal/awserr"
)

// AWSClients builds the AWS APIs for a region. DefaultAWSClients uses the
// SDK's default chain; tests pass clients of the in-repo test servers.
type AWSClients func(ctx context.Context, region string) (CloudWatchAPI, LogsAPI, TopicAPI, error)

// DefaultAWSClients loads the SDK's default configuration and checks, before
// any call, that it has a region and that the credential chain finds
// credentials (errors wrap ErrNoRegion and ErrNoCredentials).
func DefaultAWSClients(ctx context.Context, region string) (CloudWatchAPI, LogsAPI, TopicAPI, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, nil, nil, awserr.Explain(fmt.Errorf("load AWS config: %w", err))
	}
	if err := awserr.RequireRegion(cfg); err != nil {
		return nil, nil, nil, fmt.Errorf("%w: %w", ErrNoRegion, err)
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(cctx); err != nil {
		return nil, nil, nil, fmt.Errorf("%w: %w", ErrNoCredentials, awserr.Explain(err))
	}
	return cloudwatch.NewFromConfig(cfg), cloudwatchlogs.NewFromConfig(cfg), NewSNSTopics(sns.NewFromConfig(cfg)), nil
}

// ApplyOptions configure RunApply.
type ApplyOptions struct {
	// DryRun describes what would change and writes nothing. Without AWS
	// credentials or a region it lists every resource offline.
	DryRun bool
	// Verify runs TestMetricFilter for every metric filter against its
	// sample lines after applying.
	Verify bool
	// Email adds an SNS email subscription of the alarm topic.
	Email string
	// Region is the AWS region ("" = the SDK's default chain).
	Region string
	// Clients builds the AWS APIs. Default DefaultAWSClients.
	Clients AWSClients
	// Logger receives one line per change. Default: discard.
	Logger *slog.Logger
}

// RunApply is `agent alerts apply --cloudwatch`: it refuses placeholder
// resource IDs, applies the definitions idempotently (or describes them in a
// dry run), reports every change, and optionally verifies the metric
// filters. A failed apply never reports "no changes": it lists what was
// done before the error and returns the error with how to fix it.
func RunApply(ctx context.Context, cfg Config, opts ApplyOptions, stdout io.Writer) error {
	if opts.Clients == nil {
		opts.Clients = DefaultAWSClients
	}
	if opts.Email != "" {
		if !strings.Contains(opts.Email, "@") || strings.ContainsAny(opts.Email, " \n") {
			return fmt.Errorf("%w: --email %q is not an email address", ErrUsage, opts.Email)
		}
		sub := Subscription{Protocol: "email", Endpoint: opts.Email}
		if !slices.Contains(cfg.CloudWatch.Subscriptions, sub) {
			cfg.CloudWatch.Subscriptions = append(cfg.CloudWatch.Subscriptions, sub)
		}
	}
	defs, err := cfg.CloudWatchDefinitions()
	if err != nil {
		return err
	}
	placeholderErr := placeholderError(cfg.CloudWatch.Placeholders())
	if placeholderErr != nil && !opts.DryRun {
		return placeholderErr
	}
	cw, logs, topics, err := opts.Clients(ctx, opts.Region)
	if err != nil {
		if opts.DryRun && (errors.Is(err, ErrNoCredentials) || errors.Is(err, ErrNoRegion)) {
			if rerr := OfflinePlan(defs).Report(stdout); rerr != nil {
				return rerr
			}
			fmt.Fprintf(stdout, "(%v)\n", err)
			if opts.Verify {
				fmt.Fprintln(stdout, "--verify skipped: TestMetricFilter needs AWS access")
			}
			return placeholderErr
		}
		return awserr.Explain(err)
	}
	res, err := NewApplier(cw, logs, topics, opts.Logger).Apply(ctx, defs, opts.DryRun)
	if err != nil {
		if len(res.Changes) > 0 {
			fmt.Fprintln(stdout, "before the error:")
			writeChanges(stdout, res)
		}
		return awserr.Explain(err)
	}
	if err := res.Report(stdout); err != nil {
		return err
	}
	if opts.Email != "" {
		for _, c := range res.Changes {
			if c.Kind == "subscription" && c.Name == "email:"+opts.Email && c.Action == ActionCreate {
				verb := "added"
				if opts.DryRun {
					verb = "would be added"
				}
				fmt.Fprintf(stdout, "email subscription %s %s: SNS sends a confirmation message to it, and no alarm reaches it until the link in that message is confirmed\n", opts.Email, verb)
			}
		}
	}
	if opts.Verify {
		checks, err := VerifyFilters(ctx, logs, defs)
		if err != nil {
			return awserr.Explain(err)
		}
		if err := WriteChecks(stdout, checks); err != nil {
			return err
		}
	}
	return placeholderErr
}

// writeChanges writes the changes that were made, without a summary.
func writeChanges(w io.Writer, r ApplyResult) {
	for _, c := range r.Changes {
		if c.Action != ActionUnchanged {
			fmt.Fprintf(w, "%-13s %-13s %s\n", c.Action, c.Kind, c.Name)
		}
	}
}

// placeholderError names every configuration key still at a placeholder
// resource ID, or returns nil.
func placeholderError(ph map[string]string) error {
	if len(ph) == 0 {
		return nil
	}
	var lines []string
	for _, k := range sortedKeys(ph) {
		lines = append(lines, fmt.Sprintf("  %s: set it to %s", k, ph[k]))
	}
	return fmt.Errorf("%w: the alarms would watch resources that do not exist (the ECS task-count alarms would fire at once); set in --config:\n%s",
		ErrPlaceholder, strings.Join(lines, "\n"))
}

// TestNotifyOptions configure RunTestNotify.
type TestNotifyOptions struct {
	// Alarm, when set, is put into State (default ALARM).
	Alarm, State string
	// Inject writes every metric filter's sample lines to its log group.
	Inject bool
	// Region and Clients as in ApplyOptions.
	Region  string
	Clients AWSClients
	// Now is the time of the injected lines. Default time.Now.
	Now func() time.Time
}

// RunTestNotify is `agent alerts test-notify`: it sets an alarm's state to
// test SNS → subscribers, and/or injects sample log lines to test the
// whole path filter → metric → alarm → SNS.
func RunTestNotify(ctx context.Context, cfg Config, opts TestNotifyOptions, stdout io.Writer) error {
	if opts.Alarm == "" && !opts.Inject {
		return fmt.Errorf("%w: test-notify needs --alarm NAME and/or --inject", ErrUsage)
	}
	if opts.Clients == nil {
		opts.Clients = DefaultAWSClients
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.State == "" {
		opts.State = "ALARM"
	}
	defs, err := cfg.CloudWatchDefinitions()
	if err != nil {
		return err
	}
	cw, logs, _, err := opts.Clients(ctx, opts.Region)
	if err != nil {
		return awserr.Explain(err)
	}
	if opts.Inject {
		res, err := InjectSamples(ctx, logs, defs, opts.Now())
		if err != nil {
			return awserr.Explain(err)
		}
		for _, g := range sortedKeys(res.Lines) {
			fmt.Fprintf(stdout, "wrote %d sample lines to %s (stream %s)\n", res.Lines[g], g, res.Stream)
		}
		fmt.Fprintln(stdout, "the metric filters count them within a minute; the log alarms (period 5 min) should reach ALARM and notify the topic's subscribers")
	}
	if opts.Alarm != "" {
		if err := TestNotify(ctx, cw, defs, opts.Alarm, opts.State); err != nil {
			return awserr.Explain(err)
		}
		_, err = fmt.Fprintf(stdout, "alarm %s set to %s; subscribers of the topic should be notified\n", opts.Alarm, opts.State)
		return err
	}
	return nil
}
