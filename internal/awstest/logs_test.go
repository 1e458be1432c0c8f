package awstest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// seedLogs creates group g with streams a and b holding 25 events each,
// timestamps 1000..1024 (ms), messages "<stream> line <i>" and every fifth
// one containing "Timeout establishing the connection".
func seedLogs(t *testing.T, cw *cloudwatchlogs.Client) {
	t.Helper()
	ctx := t.Context()
	if _, err := cw.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"a", "b"} {
		if _, err := cw.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String(s)}); err != nil {
			t.Fatal(err)
		}
		var events []types.InputLogEvent
		for i := range 25 {
			msg := fmt.Sprintf("%s line %d", s, i)
			if i%5 == 0 {
				msg += " Timeout establishing the connection to the remote peer"
			}
			events = append(events, types.InputLogEvent{Timestamp: aws.Int64(int64(1000 + i)), Message: aws.String(msg)})
		}
		if _, err := cw.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String(s), LogEvents: events}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFilterLogEvents(t *testing.T) {
	srv := NewLogs(t)
	cw := srv.Client()
	seedLogs(t, cw)
	srv.SetFilterPageSize(7)
	tests := []struct {
		name      string
		in        cloudwatchlogs.FilterLogEventsInput
		wantCount int
	}{
		{"all events over several pages", cloudwatchlogs.FilterLogEventsInput{}, 50},
		{"time range is inclusive", cloudwatchlogs.FilterLogEventsInput{StartTime: aws.Int64(1010), EndTime: aws.Int64(1014)}, 10},
		{"one stream", cloudwatchlogs.FilterLogEventsInput{LogStreamNames: []string{"b"}}, 25},
		{"phrase pattern", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String(`"Timeout establishing"`)}, 10},
		{"terms pattern and stream", cloudwatchlogs.FilterLogEventsInput{FilterPattern: aws.String(`Timeout peer`), LogStreamNames: []string{"a"}}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.LogGroupName = aws.String("g")
			outs := allPages(t, cloudwatchlogs.NewFilterLogEventsPaginator(cw, &in))
			var got []types.FilteredLogEvent
			for _, out := range outs {
				got = append(got, out.Events...)
			}
			pages := len(outs)
			if len(got) != tt.wantCount {
				t.Fatalf("got %d events in %d pages, want %d", len(got), pages, tt.wantCount)
			}
			if want := (tt.wantCount + 6) / 7; pages != want && tt.wantCount > 0 {
				t.Errorf("pages = %d, want %d", pages, want)
			}
			seen := map[string]bool{}
			for i, e := range got {
				if seen[*e.EventId] {
					t.Errorf("event %s returned twice", *e.EventId)
				}
				seen[*e.EventId] = true
				if i > 0 && *e.Timestamp < *got[i-1].Timestamp {
					t.Errorf("events out of timestamp order at %d", i)
				}
				if e.LogStreamName == nil || e.Message == nil || e.IngestionTime == nil {
					t.Errorf("event %d lacks fields: %+v", i, e)
				}
			}
		})
	}
}

func TestLogsErrors(t *testing.T) {
	srv := NewLogs(t)
	cw := srv.Client(WithMaxAttempts(1))
	_, err := cw.FilterLogEvents(t.Context(), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("missing")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("missing group err = %v, want *types.ResourceNotFoundException", err)
	}
	srv.ThrottleNext(1)
	_, err = cw.CreateLogGroup(t.Context(), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("g")})
	var th *types.ThrottlingException
	if !errors.As(err, &th) {
		t.Errorf("throttled err = %v, want *types.ThrottlingException", err)
	}
	srv.ThrottleNext(1)
	if _, err := srv.Client(WithMaxAttempts(2)).CreateLogGroup(t.Context(), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("g")}); err != nil {
		t.Errorf("throttle not retried by the SDK: %v", err)
	}
	_, err = cw.CreateLogGroup(t.Context(), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("g")})
	var exists *types.ResourceAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Errorf("duplicate group err = %v, want *types.ResourceAlreadyExistsException", err)
	}
	if got := srv.Requests("CreateLogGroup"); got != 4 {
		t.Errorf("CreateLogGroup requests = %d, want 4", got)
	}
}

func TestMetricFilters(t *testing.T) {
	srv := NewLogs(t)
	cw := srv.Client()
	ctx := t.Context()
	if _, err := cw.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/ecs/bot")}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"webrtc-timeouts", "elevenlabs-errors"} {
		_, err := cw.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{
			LogGroupName: aws.String("/ecs/bot"), FilterName: aws.String(name), FilterPattern: aws.String(`"` + name + `"`),
			MetricTransformations: []types.MetricTransformation{{MetricName: aws.String(name), MetricNamespace: aws.String("VoiceWatch/Logs"),
				MetricValue: aws.String("1"), DefaultValue: aws.Float64(0), Dimensions: map[string]string{"Service": "$.service"}, Unit: types.StandardUnitCount}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	out, err := cw.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String("/ecs/bot"), FilterNamePrefix: aws.String("webrtc")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricFilters) != 1 {
		t.Fatalf("got %d filters, want 1", len(out.MetricFilters))
	}
	f := out.MetricFilters[0]
	mt := f.MetricTransformations[0]
	if *f.FilterName != "webrtc-timeouts" || *f.FilterPattern != `"webrtc-timeouts"` || *mt.MetricNamespace != "VoiceWatch/Logs" ||
		*mt.MetricValue != "1" || *mt.DefaultValue != 0 || mt.Dimensions["Service"] != "$.service" || mt.Unit != types.StandardUnitCount || f.CreationTime == nil {
		t.Errorf("filter did not round-trip: %+v %+v", f, mt)
	}
	if _, err := cw.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String("/ecs/bot"), FilterName: aws.String("webrtc-timeouts")}); err != nil {
		t.Fatal(err)
	}
	if got := srv.MetricFilters("/ecs/bot"); len(got) != 1 || *got[0].FilterName != "elevenlabs-errors" {
		t.Errorf("filters after delete = %v", got)
	}
	_, err = cw.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String("/ecs/bot"), FilterName: aws.String("webrtc-timeouts")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("delete missing err = %v, want *types.ResourceNotFoundException", err)
	}
}
