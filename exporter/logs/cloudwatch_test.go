package logs

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/voicewatch/voicewatch/internal/awstest"
)

// fakeAWSEnv points the SDK's default chain at fake static credentials (the
// test server does not check signatures) and away from the host's config.
func fakeAWSEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDLOGSTESTFAKE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "logs-test-fake")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// TestReportFromCloudWatch seeds the bot's log into a CloudWatch Logs test
// server, one event per line a second apart, with small pages, and reads it
// with `cloudwatch:GROUP` through the real SDK client (default credential
// chain, --region, --endpoint).
func TestReportFromCloudWatch(t *testing.T) {
	fakeAWSEnv(t)
	srv := awstest.NewLogs(t)
	srv.SetFilterPageSize(100)
	lines := readLines(t, corpus("voicebot"))
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var evs []types.InputLogEvent
	for i, l := range lines {
		evs = append(evs, types.InputLogEvent{Message: aws.String(l), Timestamp: aws.Int64(t0.Add(time.Duration(i) * time.Second).UnixMilli())})
	}
	srv.SeedEvents("/ecs/voicebot", "bot/task-1", evs...)
	end := t0.Add(time.Duration(len(lines)-1) * time.Second)

	tests := []struct {
		name      string
		since     string
		wantLines int
	}{
		{name: "all", wantLines: len(lines)},
		// --since ends now for CloudWatch: the clock is at the last event.
		{name: "since 5m", since: "5m", wantLines: 301},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := ReportConfig{Sources: []string{"cloudwatch:/ecs/voicebot"}, Region: "us-east-1", Endpoint: srv.URL}
			if tc.since != "" {
				d, err := time.ParseDuration(tc.since)
				if err != nil {
					t.Fatal(err)
				}
				cfg.Since = d
			}
			var errOut bytes.Buffer
			r, err := BuildReport(context.Background(), cfg, WithReportNow(func() time.Time { return end }), WithReportProgress(&errOut))
			if err != nil {
				t.Fatalf("BuildReport: %v\n%s", err, errOut.String())
			}
			if r.Lines != tc.wantLines {
				t.Errorf("lines = %d, want %d", r.Lines, tc.wantLines)
			}
			pages := (tc.wantLines + 99) / 100
			if !strings.Contains(errOut.String(), "cloudwatch:/ecs/voicebot: "+itoa(tc.wantLines)+" events, "+itoa(pages)+" pages") {
				t.Errorf("progress on stderr = %q, want %d events in %d pages", errOut.String(), tc.wantLines, pages)
			}
			if tc.since == "" && (r.Sessions.Started != 14 || r.Sessions.Completed != 10 || r.Scanner.Total != 141) {
				t.Errorf("sessions %+v scanner %d, want the incident's 14/10/141", r.Sessions, r.Scanner.Total)
			}
		})
	}
	if n := srv.Requests("FilterLogEvents"); n < 9 {
		t.Errorf("FilterLogEvents called %d times, want pagination (>= 9 pages for %d events)", n, len(lines))
	}
}

func TestReportCloudWatchErrors(t *testing.T) {
	fakeAWSEnv(t)
	srv := awstest.NewLogs(t)
	var errOut bytes.Buffer
	_, err := BuildReport(context.Background(), ReportConfig{Sources: []string{"cloudwatch:/missing"}, Region: "us-east-1", Endpoint: srv.URL},
		WithReportProgress(&errOut))
	if err == nil || !strings.Contains(err.Error(), "cloudwatch:/missing") || !strings.Contains(err.Error(), "ResourceNotFound") {
		t.Errorf("err = %v, want a FilterLogEvents error naming the group", err)
	}
	if strings.Contains(err.Error()+errOut.String(), "logs-test-fake") {
		t.Error("secret key leaked into the error or stderr")
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
