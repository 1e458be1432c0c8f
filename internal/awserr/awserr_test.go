package awserr

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/voicewatch/voicewatch/internal/awstest"
)

// The real SDK against the in-repo servers: each fixable failure comes
// back with its fix, the denied IAM action named.
func TestExplainSDKErrors(t *testing.T) {
	ctx := context.Background()
	cw := awstest.NewCloudWatch(t)
	logs := awstest.NewLogs(t)

	t.Run("access denied names the action", func(t *testing.T) {
		cw.Inject(awstest.Fault{Kind: awstest.FaultAPIError, Count: 1, Error: &awstest.APIError{Status: http.StatusForbidden, Shape: "AccessDenied",
			Message: "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudwatch:PutMetricAlarm", Fault: "Sender"}})
		_, err := cw.Client().PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("x")})
		var e *Error
		if !errors.As(Explain(err), &e) || e.Kind != KindAccessDenied || e.Action != "cloudwatch:PutMetricAlarm" || !strings.Contains(e.Error(), "add it to the policy") {
			t.Fatalf("Explain(%v) = %v", err, Explain(err))
		}
	})
	t.Run("access denied without the action in the message", func(t *testing.T) {
		logs.Inject(awstest.Fault{Kind: awstest.FaultAPIError, Count: 1, Error: &awstest.APIError{Status: http.StatusBadRequest, Shape: "AccessDeniedException", Message: "denied", Fault: "Sender"}})
		_, err := logs.Client().FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/ecs/x")})
		var e *Error
		if !errors.As(Explain(err), &e) || e.Action != "logs:FilterLogEvents" {
			t.Fatalf("Explain(%v) = %v", err, Explain(err))
		}
	})
	t.Run("throttled after retries", func(t *testing.T) {
		cw.ThrottleNext(5)
		_, err := cw.Client(awstest.WithMaxAttempts(2)).DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
		var e *Error
		if !errors.As(Explain(err), &e) || e.Kind != KindThrottled {
			t.Fatalf("Explain(%v) = %v", err, Explain(err))
		}
		cw.Clear()
	})
	t.Run("invalid key", func(t *testing.T) {
		cw.Inject(awstest.Fault{Kind: awstest.FaultAPIError, Count: 1, Error: &awstest.APIError{Status: http.StatusForbidden, Shape: "InvalidClientTokenId",
			Message: "The security token included in the request is invalid.", Fault: "Sender"}})
		_, err := cw.Client().DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
		var e *Error
		if !errors.As(Explain(err), &e) || e.Kind != KindInvalidKey || !strings.Contains(e.Fix, "AWS_PROFILE") {
			t.Fatalf("Explain(%v) = %v", err, Explain(err))
		}
	})
	t.Run("no credentials", func(t *testing.T) {
		cfg := awstest.AWSConfig()
		cfg.Credentials = aws.NewCredentialsCache(credentials.StaticCredentialsProvider{})
		client := cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(cw.URL) })
		_, err := client.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
		var e *Error
		if !errors.As(Explain(err), &e) || e.Kind != KindCredentials || !strings.Contains(e.Fix, "ECS task role") {
			t.Fatalf("Explain(%v) = %v", err, Explain(err))
		}
	})
	t.Run("no region", func(t *testing.T) {
		cfg := awstest.AWSConfig()
		cfg.Region = ""
		_, err := cloudwatch.NewFromConfig(cfg).DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
		var e *Error
		if !errors.As(Explain(err), &e) || e.Kind != KindRegion || !strings.Contains(e.Fix, "--region") {
			t.Fatalf("Explain(%v) = %v", err, Explain(err))
		}
	})
	t.Run("others unchanged", func(t *testing.T) {
		plain := errors.New("boom")
		if Explain(plain) != plain || Explain(nil) != nil {
			t.Error("Explain changed an unrelated error")
		}
	})
}
