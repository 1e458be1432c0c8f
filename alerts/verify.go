package alerts

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// FilterCheck is the result of TestMetricFilter for one metric filter:
// samples it should match and did not, lines it should not match and did.
type FilterCheck struct {
	Filter     string
	Missed     []string
	Unexpected []string
}

// OK reports whether the filter matched exactly what it should.
func (c FilterCheck) OK() bool { return len(c.Missed) == 0 && len(c.Unexpected) == 0 }

// VerifyFilters runs CloudWatch Logs TestMetricFilter for every metric
// filter against its samples and its not-matching lines: CloudWatch's own
// pattern engine proves each filter counts the lines it was written for.
func VerifyFilters(ctx context.Context, logs LogsAPI, defs CloudWatchDefinitions) ([]FilterCheck, error) {
	var out []FilterCheck
	for _, f := range defs.MetricFilters {
		lines := append(slices.Clone(f.Samples), f.NotMatching...)
		if len(lines) == 0 {
			continue
		}
		res, err := logs.TestMetricFilter(ctx, &cloudwatchlogs.TestMetricFilterInput{
			FilterPattern: aws.String(f.Pattern), LogEventMessages: lines})
		if err != nil {
			return out, fmt.Errorf("test metric filter %s: %w", f.Name, err)
		}
		matched := map[string]bool{}
		for _, m := range res.Matches {
			matched[aws.ToString(m.EventMessage)] = true
		}
		c := FilterCheck{Filter: f.Name}
		for _, s := range f.Samples {
			if !matched[s] {
				c.Missed = append(c.Missed, s)
			}
		}
		for _, s := range f.NotMatching {
			if matched[s] {
				c.Unexpected = append(c.Unexpected, s)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// WriteChecks writes one line per filter and returns an error wrapping
// ErrFilterMismatch when one failed.
func WriteChecks(w io.Writer, checks []FilterCheck) error {
	var b strings.Builder
	bad := 0
	for _, c := range checks {
		if c.OK() {
			fmt.Fprintf(&b, "verified      metric-filter %s (TestMetricFilter)\n", c.Filter)
			continue
		}
		bad++
		for _, s := range c.Missed {
			fmt.Fprintf(&b, "MISMATCH      metric-filter %s does not match its sample %q\n", c.Filter, s)
		}
		for _, s := range c.Unexpected {
			fmt.Fprintf(&b, "MISMATCH      metric-filter %s matches %q, which it must not count\n", c.Filter, s)
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	if bad > 0 {
		return fmt.Errorf("%w: %d of %d metric filters", ErrFilterMismatch, bad, len(checks))
	}
	return nil
}

// InjectResult is what InjectSamples wrote.
type InjectResult struct {
	Stream string
	Lines  map[string]int // by log group
}

// InjectSamples writes every metric filter's sample lines to its log group
// (in a new stream named voicewatch-test-notify-<unix time>), so that the
// filters count them, their metrics cross the alarms' thresholds and the
// whole path filter → metric → alarm → SNS → subscriber can be proven in a
// real account. The lines say they are a test only through the stream name:
// they are the lines the filters were written for.
func InjectSamples(ctx context.Context, logs LogsAPI, defs CloudWatchDefinitions, now time.Time) (InjectResult, error) {
	res := InjectResult{Stream: fmt.Sprintf("voicewatch-test-notify-%d", now.Unix()), Lines: map[string]int{}}
	byGroup := map[string][]string{}
	var groups []string
	for _, f := range defs.MetricFilters {
		if _, ok := byGroup[f.LogGroup]; !ok {
			groups = append(groups, f.LogGroup)
		}
		byGroup[f.LogGroup] = append(byGroup[f.LogGroup], f.Samples...)
	}
	for _, g := range groups {
		if _, err := logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(g), LogStreamName: aws.String(res.Stream)}); err != nil {
			return res, fmt.Errorf("create log stream %s in %s (does the log group exist? set cloudwatch.*_log_group): %w", res.Stream, g, err)
		}
		var events []logtypes.InputLogEvent
		for i, line := range byGroup[g] {
			events = append(events, logtypes.InputLogEvent{Message: aws.String(line), Timestamp: aws.Int64(now.UnixMilli() + int64(i))})
		}
		if _, err := logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(g), LogStreamName: aws.String(res.Stream), LogEvents: events}); err != nil {
			return res, fmt.Errorf("put log events to %s: %w", g, err)
		}
		res.Lines[g] = len(events)
	}
	return res, nil
}
