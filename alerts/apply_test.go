package alerts

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/voicewatch/voicewatch/internal/awstest"
)

type awsEnv struct {
	config string // path of a YAML config with the subscriptions
	cw     *awstest.CloudWatch
	logs   *awstest.Logs
	topics *fakeTopics
	cfg    Config
}

func newAWSEnv(t *testing.T) *awsEnv {
	t.Helper()
	env := &awsEnv{cw: awstest.NewCloudWatch(t), logs: awstest.NewLogs(t), topics: newFakeTopics(),
		config: filepath.Join(t.TempDir(), "alerts.yml")}
	writeFile(t, env.config, "cloudwatch:\n  subscriptions:\n    - {protocol: email, endpoint: oncall@example.com}\n    - {protocol: https, endpoint: \"https://chat.example.com/hooks/voice\"}\n"+awstest.ResourcesYAML)
	cfg, err := loadConfigFile(env.config)
	if err != nil {
		t.Fatal(err)
	}
	env.cfg = cfg
	lc := env.logs.Client()
	for _, g := range []string{cfg.CloudWatch.VoiceLogGroup, cfg.CloudWatch.BotLogGroup, cfg.CloudWatch.BrowserLogGroup} {
		if _, err := lc.CreateLogGroup(t.Context(), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(g)}); err != nil {
			t.Fatal(err)
		}
	}
	return env
}

func (e *awsEnv) clients(context.Context, string) (CloudWatchAPI, LogsAPI, TopicAPI, error) {
	return e.cw.Client(), e.logs.Client(), e.topics, nil
}

func (e *awsEnv) writes() int {
	return e.cw.Requests("PutMetricAlarm") + e.cw.Requests("SetAlarmState") + e.logs.Requests("PutMetricFilter") + len(e.topics.writes())
}

// apply applies the env's config file as `agent alerts apply --cloudwatch
// --config FILE [--dry-run]` does and returns the report.
func (e *awsEnv) apply(t *testing.T, dryRun bool) string {
	t.Helper()
	var out bytes.Buffer
	if err := applyFile(t.Context(), e, e.config, dryRun, &out); err != nil {
		t.Fatalf("apply (dry run %v): %v", dryRun, err)
	}
	return out.String()
}

// applyFile loads a config file, builds its definitions and applies them.
func applyFile(ctx context.Context, e *awsEnv, path string, dryRun bool, out *bytes.Buffer) error {
	cfg, err := loadConfigFile(path)
	if err != nil {
		return err
	}
	defs, err := cfg.CloudWatchDefinitions()
	if err != nil {
		return err
	}
	cw, logs, topics, _ := e.clients(ctx, "")
	res, err := NewApplier(cw, logs, topics, nil).Apply(ctx, defs, dryRun)
	if rerr := res.Report(out); err == nil {
		err = rerr
	}
	return err
}

func TestApplyCloudWatch(t *testing.T) {
	env := newAWSEnv(t)
	defs, err := env.cfg.CloudWatchDefinitions()
	if err != nil {
		t.Fatal(err)
	}

	t.Run("dry run on an empty account writes nothing and lists every resource", func(t *testing.T) {
		out := env.apply(t, true)
		if n := env.writes(); n != 0 {
			t.Fatalf("dry run made %d write calls", n)
		}
		if got := strings.Count(out, "would create  alarm"); got != len(defs.Alarms) {
			t.Errorf("dry run lists %d alarms to create, want %d:\n%s", got, len(defs.Alarms), out)
		}
		if !strings.Contains(out, "nothing was written") {
			t.Errorf("dry run summary missing:\n%s", out)
		}
	})

	t.Run("first apply creates topic, subscriptions, filters and alarms", func(t *testing.T) {
		out := env.apply(t, false)
		if got := len(env.cw.Alarms()); got != len(defs.Alarms) {
			t.Fatalf("server has %d alarms, want %d", got, len(defs.Alarms))
		}
		if got := len(env.logs.MetricFilters(env.cfg.CloudWatch.VoiceLogGroup)); got != 6 {
			t.Errorf("voice log group has %d metric filters, want the incident's 6", got)
		}
		a, ok := env.cw.Alarm(env.cfg.CloudWatch.AlarmPrefix + "ConnectionSuccessRate")
		if !ok || len(a.Metrics) != 4 || len(a.AlarmActions) != 1 || !strings.HasSuffix(a.AlarmActions[0], ":"+defs.Topic) {
			t.Errorf("connection success alarm = %+v, want metric math notifying the topic", a)
		}
		if w := env.topics.writes(); len(w) != 3 {
			t.Errorf("SNS writes = %v, want CreateTopic and 2 Subscribe", w)
		}
		if !strings.Contains(out, "created       alarm") {
			t.Errorf("report does not list created alarms:\n%s", out)
		}
	})

	t.Run("second apply changes nothing and says so", func(t *testing.T) {
		before := env.writes()
		out := env.apply(t, false)
		if n := env.writes() - before; n != 0 {
			t.Errorf("second apply made %d write calls", n)
		}
		if !strings.HasPrefix(out, "no changes") {
			t.Errorf("second apply output = %q, want it to start with \"no changes\"", out)
		}
	})

	t.Run("a changed threshold updates exactly that alarm", func(t *testing.T) {
		name := env.cfg.CloudWatch.AlarmPrefix + "CloudFront4XXRate"
		cfg := env.cfg
		cfg.CloudWatch.Thresholds = map[string]float64{"CloudFront4XXRate": 30}
		defs, err := cfg.CloudWatchDefinitions()
		if err != nil {
			t.Fatal(err)
		}
		res, err := NewApplier(env.cw.Client(), env.logs.Client(), env.topics, nil).Apply(t.Context(), defs, false)
		if err != nil {
			t.Fatal(err)
		}
		if res.Changed() != 1 {
			t.Errorf("changes = %+v, want only %s updated", res.Changes, name)
		}
		if a, _ := env.cw.Alarm(name); aws.ToFloat64(a.Threshold) != 30 {
			t.Errorf("threshold on server = %v, want 30", aws.ToFloat64(a.Threshold))
		}
	})

	t.Run("test-notify sets the alarm state", func(t *testing.T) {
		if err := TestNotify(t.Context(), env.cw.Client(), defs, "ProbeTURNFailing", "ALARM"); err != nil {
			t.Fatal(err)
		}
		a, _ := env.cw.Alarm(env.cfg.CloudWatch.AlarmPrefix + "ProbeTURNFailing")
		if a.StateValue != "ALARM" {
			t.Errorf("state = %s, want ALARM", a.StateValue)
		}
		err := TestNotify(t.Context(), env.cw.Client(), defs, "NoSuchAlarm", "ALARM")
		if !errors.Is(err, ErrUnknownAlarm) {
			t.Errorf("unknown alarm: err = %v, want ErrUnknownAlarm", err)
		}
	})
}

func TestBadThresholdsRejected(t *testing.T) {
	tests := []struct {
		name      string
		threshold map[string]float64
		want      error
		wantText  string
	}{
		{"percentage above 100", map[string]float64{"CloudFront5XXRate": 150}, ErrInvalidThreshold, "outside [0, 100] for a percentage"},
		{"negative count", map[string]float64{"DynamoDBWriteThrottles": -1}, ErrInvalidThreshold, "outside"},
		{"zero tasks can never alarm below", map[string]float64{"VoiceServiceTaskCount": 0}, ErrInvalidThreshold, "outside [1,"},
		{"unknown alarm name", map[string]float64{"CloudFront5xx": 5}, ErrUnknownAlarm, "known alarms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newAWSEnv(t)
			cfg := env.cfg
			cfg.CloudWatch.Thresholds = tt.threshold
			_, err := cfg.CloudWatchDefinitions()
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("err = %v, want %v containing %q", err, tt.want, tt.wantText)
			}
			// From a config file: rejected before any AWS call.
			path := t.TempDir() + "/alerts.yml"
			writeFile(t, path, "cloudwatch:\n  thresholds:\n"+yamlMap(tt.threshold))
			var out bytes.Buffer
			before := env.cw.TotalRequests() + env.logs.TotalRequests()
			err = applyFile(t.Context(), env, path, false, &out)
			if !errors.Is(err, tt.want) {
				t.Fatalf("apply err = %v, want %v", err, tt.want)
			}
			if n := env.cw.TotalRequests() + env.logs.TotalRequests() - before; n != 0 {
				t.Errorf("rejected config still made %d AWS calls", n)
			}
		})
	}
}

// loadConfigFile reads an alerts config file as --config does.
func loadConfigFile(path string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, err
	}
	defer f.Close()
	return LoadConfig(f)
}
