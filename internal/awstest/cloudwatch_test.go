package awstest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
)

func TestPutMetricDataRoundTrip(t *testing.T) {
	srv := NewCloudWatch(t)
	cw := srv.Client()
	ts := time.Date(2026, 3, 1, 12, 0, 0, 250e6, time.UTC)
	sent := []types.MetricDatum{
		{MetricName: aws.String("voice_sessions_started_total"), Value: aws.Float64(3), Unit: types.StandardUnitCount,
			Timestamp: aws.Time(ts), Dimensions: []types.Dimension{{Name: aws.String("Service"), Value: aws.String("voice")}}},
		{MetricName: aws.String("voice_ice_gathering_duration_seconds"), Values: []float64{0.05, 0.5, 2.5}, Counts: []float64{10, 3, 1},
			Unit: types.StandardUnitSeconds, Timestamp: aws.Time(ts), StorageResolution: aws.Int32(1)},
		{MetricName: aws.String("stats"), StatisticValues: &types.StatisticSet{SampleCount: aws.Float64(4), Sum: aws.Float64(10), Minimum: aws.Float64(1), Maximum: aws.Float64(4)},
			Timestamp: aws.Time(ts)},
		{MetricName: aws.String("negative"), Value: aws.Float64(-7.5), Timestamp: aws.Time(ts)},
	}
	if _, err := cw.PutMetricData(t.Context(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("VoiceWatch"), MetricData: sent}); err != nil {
		t.Fatalf("PutMetricData: %v", err)
	}
	got := srv.Datums()
	if len(got) != len(sent) {
		t.Fatalf("stored %d datums, want %d", len(got), len(sent))
	}
	for i, d := range got {
		want := sent[i]
		if d.Namespace != "VoiceWatch" || *d.MetricName != *want.MetricName || d.Unit != want.Unit ||
			!d.Timestamp.Equal(*want.Timestamp) || fmt.Sprint(d.Values, d.Counts) != fmt.Sprint(want.Values, want.Counts) ||
			aws.ToFloat64(d.Value) != aws.ToFloat64(want.Value) || aws.ToInt32(d.StorageResolution) != aws.ToInt32(want.StorageResolution) ||
			len(d.Dimensions) != len(want.Dimensions) {
			t.Errorf("datum %d = %+v, want %+v", i, d.MetricDatum, want)
		}
	}
	if sv := got[2].StatisticValues; sv == nil || *sv.SampleCount != 4 || *sv.Sum != 10 || *sv.Minimum != 1 || *sv.Maximum != 4 {
		t.Errorf("statistic set = %+v", sv)
	}
	if d := got[0].Dimensions[0]; *d.Name != "Service" || *d.Value != "voice" {
		t.Errorf("dimension = %s=%s", *d.Name, *d.Value)
	}
	if srv.Requests("PutMetricData") != 1 {
		t.Errorf("Requests = %d, want 1", srv.Requests("PutMetricData"))
	}
}

func TestPutMetricDataGzip(t *testing.T) {
	srv := NewCloudWatch(t)
	data := make([]types.MetricDatum, 500) // well above the SDK's 10 KiB compression threshold
	for i := range data {
		data[i] = types.MetricDatum{MetricName: aws.String(fmt.Sprintf("metric_%03d", i)), Value: aws.Float64(float64(i))}
	}
	if _, err := srv.Client().PutMetricData(t.Context(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("NS"), MetricData: data}); err != nil {
		t.Fatal(err)
	}
	calls := srv.PutMetricDataCalls()
	if len(calls) != 1 || !calls[0].Compressed || len(calls[0].Datums) != 500 {
		t.Fatalf("calls = %d, compressed = %v, datums = %d; want 1 gzip request with 500 datums", len(calls), calls[0].Compressed, len(calls[0].Datums))
	}
}

func TestPutMetricDataRejectsInvalid(t *testing.T) {
	tests := []struct {
		name  string
		datum types.MetricDatum
	}{
		{"counts without matching values", types.MetricDatum{MetricName: aws.String("m"), Values: []float64{1, 2}, Counts: []float64{1}}},
		{"value and values", types.MetricDatum{MetricName: aws.String("m"), Value: aws.Float64(1), Values: []float64{1}}},
		{"more than 150 values", types.MetricDatum{MetricName: aws.String("m"), Values: make([]float64, 151)}},
	}
	srv := NewCloudWatch(t)
	cw := srv.Client()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cw.PutMetricData(t.Context(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("NS"), MetricData: []types.MetricDatum{tt.datum}})
			var inv *types.InvalidParameterValueException
			if !errors.As(err, &inv) {
				t.Fatalf("err = %v, want *types.InvalidParameterValueException", err)
			}
		})
	}
	if n := srv.DatumCount(); n != 0 {
		t.Errorf("stored %d datums from rejected requests", n)
	}
}

func TestFaults(t *testing.T) {
	put := func(ctx context.Context, cw *cloudwatch.Client) error {
		_, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("NS"),
			MetricData: []types.MetricDatum{{MetricName: aws.String("m"), Value: aws.Float64(1)}}})
		return err
	}
	t.Run("throttle is retried by the SDK", func(t *testing.T) {
		srv := NewCloudWatch(t)
		srv.ThrottleNext(2)
		if err := put(t.Context(), srv.Client(WithMaxAttempts(3))); err != nil {
			t.Fatalf("put after 2 throttles with 3 attempts: %v", err)
		}
		if got := srv.Requests("PutMetricData"); got != 3 {
			t.Errorf("requests = %d, want 3", got)
		}
		if got := srv.DatumCount(); got != 1 {
			t.Errorf("datums = %d, want 1", got)
		}
	})
	t.Run("throttle error code without retries", func(t *testing.T) {
		srv := NewCloudWatch(t)
		srv.ThrottleNext(1)
		err := put(t.Context(), srv.Client(WithMaxAttempts(1)))
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "Throttling" {
			t.Fatalf("err = %v, want API error code Throttling", err)
		}
	})
	t.Run("throttle for a duration on one operation", func(t *testing.T) {
		srv := NewCloudWatch(t)
		srv.Inject(Fault{Kind: FaultThrottle, Op: "PutMetricData", Until: time.Now().Add(time.Hour)})
		if err := put(t.Context(), srv.Client(WithMaxAttempts(2))); err == nil {
			t.Fatal("put succeeded while throttled")
		}
		if _, err := srv.Client().ListDashboards(t.Context(), &cloudwatch.ListDashboardsInput{}); err != nil {
			t.Fatalf("other operation affected: %v", err)
		}
		srv.Clear()
		if err := put(t.Context(), srv.Client()); err != nil {
			t.Fatalf("put after Clear: %v", err)
		}
	})
	t.Run("5xx", func(t *testing.T) {
		srv := NewCloudWatch(t)
		srv.FailNext(1, http.StatusBadGateway)
		err := put(t.Context(), srv.Client(WithMaxAttempts(1)))
		var re *awshttp.ResponseError
		if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusBadGateway {
			t.Fatalf("err = %v, want HTTP 502", err)
		}
		srv.FailNext(1, http.StatusInternalServerError)
		if err := put(t.Context(), srv.Client(WithMaxAttempts(2))); err != nil {
			t.Fatalf("500 then success with 2 attempts: %v", err)
		}
	})
	t.Run("hang until the context ends", func(t *testing.T) {
		srv := NewCloudWatch(t)
		srv.HangNext(1)
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		err := put(ctx, srv.Client(WithMaxAttempts(1)))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want deadline exceeded", err)
		}
	})
	t.Run("hang until released", func(t *testing.T) {
		srv := NewCloudWatch(t)
		srv.HangNext(1)
		done := make(chan error, 1)
		go func() { done <- put(t.Context(), srv.Client(WithMaxAttempts(1))) }()
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		if err := srv.WaitRequests(ctx, "PutMetricData", 1); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			t.Fatalf("request returned before Release: %v", err)
		default:
		}
		srv.Release()
		var re *awshttp.ResponseError
		if err := <-done; !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusServiceUnavailable {
			t.Fatalf("err = %v, want 503 after release", err)
		}
	})
}

func TestAlarms(t *testing.T) {
	srv := NewCloudWatch(t)
	cw := srv.Client()
	ctx := t.Context()
	in := &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String("voice-connection-timeouts"), AlarmDescription: aws.String("runbook: docs/runbooks/x.md"),
		Namespace: aws.String("VoiceWatch"), MetricName: aws.String("voice_connections_total"),
		Dimensions: []types.Dimension{{Name: aws.String("result"), Value: aws.String("timeout")}},
		Statistic:  types.StatisticSum, Period: aws.Int32(300), EvaluationPeriods: aws.Int32(2), DatapointsToAlarm: aws.Int32(2),
		Threshold: aws.Float64(2.5), ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold,
		TreatMissingData: aws.String("notBreaching"), AlarmActions: []string{"arn:aws:sns:us-east-1:123456789012:page"},
	}
	if _, err := cw.PutMetricAlarm(ctx, in); err != nil {
		t.Fatal(err)
	}
	if _, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("other"), Namespace: aws.String("VoiceWatch"),
		MetricName: aws.String("m"), Statistic: types.StatisticAverage, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1),
		Threshold: aws.Float64(1), ComparisonOperator: types.ComparisonOperatorLessThanThreshold}); err != nil {
		t.Fatal(err)
	}
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"voice-connection-timeouts"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricAlarms) != 1 {
		t.Fatalf("DescribeAlarms returned %d alarms, want 1", len(out.MetricAlarms))
	}
	a := out.MetricAlarms[0]
	if *a.Threshold != 2.5 || *a.Period != 300 || a.ComparisonOperator != types.ComparisonOperatorGreaterThanThreshold ||
		a.StateValue != types.StateValueInsufficientData || *a.Dimensions[0].Value != "timeout" || a.AlarmActions[0] != in.AlarmActions[0] ||
		aws.ToString(a.TreatMissingData) != "notBreaching" || a.AlarmArn == nil || a.AlarmConfigurationUpdatedTimestamp == nil {
		t.Errorf("alarm did not round-trip: %+v", a)
	}
	var names []string
	for _, p := range allPages(t, cloudwatch.NewDescribeAlarmsPaginator(cw, &cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(1)})) {
		for _, a := range p.MetricAlarms {
			names = append(names, *a.AlarmName)
		}
	}
	if fmt.Sprint(names) != "[other voice-connection-timeouts]" {
		t.Errorf("paginated names = %v", names)
	}
	if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("other"), StateValue: types.StateValueAlarm, StateReason: aws.String("test")}); err != nil {
		t.Fatal(err)
	}
	if a, _ := srv.Alarm("other"); a.StateValue != types.StateValueAlarm {
		t.Errorf("state = %s, want ALARM", a.StateValue)
	}
	_, err = cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("missing"), StateValue: types.StateValueOk, StateReason: aws.String("x")})
	var nf *types.ResourceNotFound
	if !errors.As(err, &nf) {
		t.Errorf("SetAlarmState(missing) err = %v, want *types.ResourceNotFound", err)
	}
	if _, err := cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"other", "voice-connection-timeouts"}}); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Alarms()); n != 0 {
		t.Errorf("%d alarms left after delete", n)
	}
}

func TestDashboards(t *testing.T) {
	srv := NewCloudWatch(t)
	cw := srv.Client()
	ctx := t.Context()
	body := `{"widgets":[{"type":"metric","properties":{"metrics":[["VoiceWatch","voice_sessions_started_total"]]}}]}`
	if _, err := cw.PutDashboard(ctx, &cloudwatch.PutDashboardInput{DashboardName: aws.String("voicewatch"), DashboardBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
	got, err := cw.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String("voicewatch")})
	if err != nil || aws.ToString(got.DashboardBody) != body {
		t.Fatalf("GetDashboard = %v, %v", got, err)
	}
	list, err := cw.ListDashboards(ctx, &cloudwatch.ListDashboardsInput{DashboardNamePrefix: aws.String("voice")})
	if err != nil || len(list.DashboardEntries) != 1 || aws.ToInt64(list.DashboardEntries[0].Size) != int64(len(body)) {
		t.Fatalf("ListDashboards = %+v, %v", list, err)
	}
	_, err = cw.PutDashboard(ctx, &cloudwatch.PutDashboardInput{DashboardName: aws.String("bad"), DashboardBody: aws.String("{not json")})
	var inv *types.DashboardInvalidInputError
	if !errors.As(err, &inv) {
		t.Errorf("invalid body err = %v, want *types.DashboardInvalidInputError", err)
	}
	if _, err := cw.DeleteDashboards(ctx, &cloudwatch.DeleteDashboardsInput{DashboardNames: []string{"voicewatch"}}); err != nil {
		t.Fatal(err)
	}
	_, err = cw.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String("voicewatch")})
	var nf *types.DashboardNotFoundError
	if !errors.As(err, &nf) || nf.ErrorCode() != "ResourceNotFound" {
		t.Errorf("GetDashboard(deleted) err = %v, want *types.DashboardNotFoundError with code ResourceNotFound", err)
	}
}
