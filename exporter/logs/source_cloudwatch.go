package logs

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// FilterLogEventsAPI is the part of the CloudWatch Logs client the report
// reads with (*cloudwatchlogs.Client implements it).
type FilterLogEventsAPI interface {
	FilterLogEvents(ctx context.Context, in *cloudwatchlogs.FilterLogEventsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error)
}

var _ FilterLogEventsAPI = (*cloudwatchlogs.Client)(nil)

// awsConfig loads the SDK's default configuration (credential chain,
// region), with region overriding the configured one when set.
func awsConfig(ctx context.Context, region string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("aws config: %w", err)
	}
	return cfg, nil
}

// newCloudWatchLogsClient builds a client from the SDK's default credential
// chain, with an optional region and endpoint override (tests, LocalStack).
func newCloudWatchLogsClient(ctx context.Context, region, endpoint string) (*cloudwatchlogs.Client, error) {
	cfg, err := awsConfig(ctx, region)
	if err != nil {
		return nil, err
	}
	return cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	}), nil
}

// readCloudWatch pages through FilterLogEvents for group from start (zero:
// the beginning) to end and calls fn for every event's message, with the
// event's timestamp. It writes a progress line to progress after each page.
func readCloudWatch(ctx context.Context, api FilterLogEventsAPI, group string, start, end time.Time, progress io.Writer, fn func(msg []byte, ts time.Time)) error {
	in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)}
	if !start.IsZero() {
		in.StartTime = aws.Int64(start.UnixMilli())
	}
	if !end.IsZero() {
		in.EndTime = aws.Int64(end.UnixMilli())
	}
	p := cloudwatchlogs.NewFilterLogEventsPaginator(api, in)
	events, pages := 0, 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			fmt.Fprintln(progress)
			return fmt.Errorf("cloudwatch:%s: FilterLogEvents: %w", group, err)
		}
		pages++
		for _, ev := range out.Events {
			events++
			var ts time.Time
			if ev.Timestamp != nil {
				ts = time.UnixMilli(*ev.Timestamp).UTC()
			}
			fn([]byte(aws.ToString(ev.Message)), ts)
		}
		fmt.Fprintf(progress, "\rcloudwatch:%s: %d events, %d pages", group, events, pages)
	}
	fmt.Fprintln(progress)
	return nil
}
