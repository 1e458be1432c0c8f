package alerts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/voicewatch/voicewatch/internal/awstest"
)

// TestApplyPlaceholdersRefused: the default resource IDs are placeholders;
// apply refuses them before any AWS call and names every key to set.
func TestApplyPlaceholdersRefused(t *testing.T) {
	env := newAWSEnv(t)
	path := t.TempDir() + "/alerts.yml"
	writeFile(t, path, "cloudwatch:\n  ecs_cluster: prod-voice\n")
	before := env.cw.TotalRequests() + env.logs.TotalRequests()
	var out bytes.Buffer
	err := runApplyFile(t.Context(), path, ApplyOptions{Clients: env.clients}, &out)
	if !errors.Is(err, ErrPlaceholder) {
		t.Fatalf("err = %v, want ErrPlaceholder", err)
	}
	for _, key := range []string{"cloudwatch.load_balancer", "cloudwatch.cloudfront_distribution", "cloudwatch.voice_target_group", "cloudwatch.dynamodb_table"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("error does not name %s: %v", key, err)
		}
	}
	if strings.Contains(err.Error(), "cloudwatch.ecs_cluster") {
		t.Errorf("error names cloudwatch.ecs_cluster, which the config sets: %v", err)
	}
	if n := env.cw.TotalRequests() + env.logs.TotalRequests() - before; n != 0 {
		t.Errorf("refused apply made %d AWS calls", n)
	}
}

// TestDryRunOffline: without credentials a dry run lists every resource,
// says it compared nothing, and never prints "no changes".
func TestDryRunOffline(t *testing.T) {
	env := newAWSEnv(t)
	noCreds := func(context.Context, string) (CloudWatchAPI, LogsAPI, TopicAPI, error) {
		return nil, nil, nil, fmt.Errorf("%w: failed to retrieve credentials", ErrNoCredentials)
	}
	var out bytes.Buffer
	if err := runApplyFile(t.Context(), env.config, ApplyOptions{DryRun: true, Clients: noCreds}, &out); err != nil {
		t.Fatal(err)
	}
	defs, _ := env.cfg.CloudWatchDefinitions()
	if got := strings.Count(out.String(), "would put     alarm"); got != len(defs.Alarms) {
		t.Errorf("offline dry run lists %d alarms, want %d:\n%s", got, len(defs.Alarms), out.String())
	}
	if strings.Contains(out.String(), "no changes") || !strings.Contains(out.String(), "dry run offline") {
		t.Errorf("offline dry run output:\n%s", out.String())
	}
	// Without a dry run, the missing credentials are an error that says
	// how to fix them.
	err := runApplyFile(t.Context(), env.config, ApplyOptions{Clients: noCreds}, &out)
	if !errors.Is(err, ErrNoCredentials) || !strings.Contains(err.Error(), "AWS_PROFILE") {
		t.Errorf("err = %v, want ErrNoCredentials with the credential chain explained", err)
	}
}

// TestFailingDryRunNeverSaysNoChanges: an AWS error in a dry run is an
// error, and the output never claims the account is up to date.
func TestFailingDryRunNeverSaysNoChanges(t *testing.T) {
	env := newAWSEnv(t)
	env.cw.Inject(awstest.Fault{Kind: awstest.FaultServerError, Op: "DescribeAlarms"})
	var out bytes.Buffer
	err := runApplyFile(t.Context(), env.config, ApplyOptions{DryRun: true, Clients: env.clients}, &out)
	if err == nil {
		t.Fatal("dry run against a failing DescribeAlarms succeeded")
	}
	if strings.Contains(out.String(), "no changes") || strings.Contains(out.String(), "up to date") {
		t.Errorf("failed dry run printed:\n%s", out.String())
	}
}

// TestApplyVerifyAndEmail: --verify runs TestMetricFilter for every filter
// (the Logs test server matches with CloudWatch's pattern semantics), and
// --email adds the subscription and says it must be confirmed.
func TestApplyVerifyAndEmail(t *testing.T) {
	env := newAWSEnv(t)
	var out bytes.Buffer
	if err := runApplyFile(t.Context(), env.config, ApplyOptions{Verify: true, Email: "new-oncall@example.com", Clients: env.clients}, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	defs, _ := env.cfg.CloudWatchDefinitions()
	if got := strings.Count(out.String(), "verified      metric-filter"); got != len(defs.MetricFilters) {
		t.Errorf("%d filters verified, want %d:\n%s", got, len(defs.MetricFilters), out.String())
	}
	if n := env.logs.Requests("TestMetricFilter"); n != len(defs.MetricFilters) {
		t.Errorf("%d TestMetricFilter calls, want %d", n, len(defs.MetricFilters))
	}
	if !strings.Contains(out.String(), "email subscription new-oncall@example.com added") || !strings.Contains(out.String(), "confirmed") {
		t.Errorf("no confirmation notice:\n%s", out.String())
	}
	if !strings.Contains(strings.Join(env.topics.writes(), " "), "Subscribe email:new-oncall@example.com") {
		t.Errorf("SNS writes = %v", env.topics.writes())
	}

	// A filter whose pattern no longer matches its samples fails --verify.
	defs.MetricFilters[0].Pattern = `{ $.event = "ice.timed_out" }`
	checks, err := VerifyFilters(t.Context(), env.logs.Client(), defs)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteChecks(&out, checks); !errors.Is(err, ErrFilterMismatch) {
		t.Errorf("err = %v, want ErrFilterMismatch", err)
	}
}

// TestTestNotifyInject: --inject writes every filter's samples to its log
// group, and the filters (applied for real) count each of them.
func TestTestNotifyInject(t *testing.T) {
	env := newAWSEnv(t)
	env.apply(t, false)
	now := time.Unix(1800000000, 0)
	var out bytes.Buffer
	err := RunTestNotify(t.Context(), env.cfg, TestNotifyOptions{Inject: true, Clients: env.clients, Now: func() time.Time { return now }}, &out)
	if err != nil {
		t.Fatal(err)
	}
	defs, _ := env.cfg.CloudWatchDefinitions()
	for _, f := range defs.MetricFilters {
		var msgs []string
		for _, e := range env.logs.Events(f.LogGroup) {
			if strings.HasPrefix(aws.ToString(e.LogStreamName), "voicewatch-test-notify-") {
				msgs = append(msgs, aws.ToString(e.Message))
			}
		}
		n := 0
		for _, m := range msgs {
			if ok, err := awstest.MatchFilter(f.Pattern, m); err != nil {
				t.Fatal(err)
			} else if ok {
				n++
			}
		}
		if n < len(f.Samples) {
			t.Errorf("%s counts %d of the injected lines, want at least its %d samples", f.Name, n, len(f.Samples))
		}
	}
	if !strings.Contains(out.String(), "wrote") {
		t.Errorf("output:\n%s", out.String())
	}
	// The stored filters in the account are the ones matched above.
	got, err := env.logs.Client().DescribeMetricFilters(t.Context(), &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(env.cfg.CloudWatch.VoiceLogGroup)})
	if err != nil || len(got.MetricFilters) != 6 {
		t.Fatalf("filters in the voice group: %v, %v", got, err)
	}
}

// runApplyFile is `agent alerts apply --cloudwatch --config path` with opts.
func runApplyFile(ctx context.Context, path string, opts ApplyOptions, out io.Writer) error {
	cfg, err := loadConfigFile(path)
	if err != nil {
		return err
	}
	return RunApply(ctx, cfg, opts, out)
}
