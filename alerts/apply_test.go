package alerts

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/voicewatch/voicewatch/internal/awstest"
)

// resourcesYAML names real-looking resources for every placeholder key.
const resourcesYAML = `  ecs_cluster: prod-voice
  voice_service: voice-agent
  browser_service: browser-service
  load_balancer: app/prod-voice-alb/50dc6c495c0c9188
  voice_target_group: targetgroup/prod-voice/73e2d6bc24d8a067
  browser_target_group: targetgroup/prod-browser/943f017f100becff
  cloudfront_distribution: E2QWRUHAPOMQZL
  dynamodb_table: prod-voice-sessions
`

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
	writeFile(t, env.config, "cloudwatch:\n  subscriptions:\n    - {protocol: email, endpoint: oncall@example.com}\n    - {protocol: https, endpoint: \"https://chat.example.com/hooks/voice\"}\n"+resourcesYAML)
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

func (e *awsEnv) apply(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if err := runAlerts(t.Context(), append([]string{"apply", "--cloudwatch", "--config", e.config}, args...), &out, &errb, e.clients); err != nil {
		t.Fatalf("apply %v: %v\nstderr: %s", args, err, errb.String())
	}
	return out.String()
}

func TestApplyCloudWatch(t *testing.T) {
	env := newAWSEnv(t)
	defs, err := env.cfg.CloudWatchDefinitions()
	if err != nil {
		t.Fatal(err)
	}

	t.Run("dry run on an empty account writes nothing and lists every resource", func(t *testing.T) {
		out := env.apply(t, "--dry-run")
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
		out := env.apply(t)
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
		out := env.apply(t)
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
		var out bytes.Buffer
		if err := runAlerts(t.Context(), []string{"test-notify", "--alarm", "ProbeTURNFailing"}, &out, &out, env.clients); err != nil {
			t.Fatal(err)
		}
		a, _ := env.cw.Alarm(env.cfg.CloudWatch.AlarmPrefix + "ProbeTURNFailing")
		if a.StateValue != "ALARM" {
			t.Errorf("state = %s, want ALARM", a.StateValue)
		}
		err := runAlerts(t.Context(), []string{"test-notify", "--alarm", "NoSuchAlarm"}, &out, &out, env.clients)
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
			// Through the CLI: rejected before any AWS call.
			path := t.TempDir() + "/alerts.yml"
			writeFile(t, path, "cloudwatch:\n  thresholds:\n"+yamlMap(tt.threshold))
			var out bytes.Buffer
			before := env.cw.TotalRequests() + env.logs.TotalRequests()
			err = runAlerts(t.Context(), []string{"apply", "--cloudwatch", "--config", path}, &out, &out, env.clients)
			if !errors.Is(err, tt.want) {
				t.Fatalf("apply err = %v, want %v", err, tt.want)
			}
			if n := env.cw.TotalRequests() + env.logs.TotalRequests() - before; n != 0 {
				t.Errorf("rejected config still made %d AWS calls", n)
			}
		})
	}
}
