package awstest

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// TestEvaluateAlarmMissingData: the four missing-data treatments, M of N,
// and statistics over the datums of several publishers, as the CloudWatch
// User Guide describes them.
func TestEvaluateAlarmMissingData(t *testing.T) {
	end := time.Unix(1800000000, 0)
	dims := []types.Dimension{{Name: aws.String("Service"), Value: aws.String("s")}}
	at := func(period int, v float64) Datum {
		return Datum{Namespace: "NS", MetricDatum: types.MetricDatum{MetricName: aws.String("m"), Dimensions: dims,
			Timestamp: aws.Time(end.Add(time.Duration(period-3) * time.Minute).Add(time.Second)), Value: aws.Float64(v)}}
	}
	alarm := func(treat string, stat types.Statistic) types.MetricAlarm {
		return types.MetricAlarm{AlarmName: aws.String("a"), Namespace: aws.String("NS"), MetricName: aws.String("m"), Dimensions: dims,
			Statistic: stat, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(3), DatapointsToAlarm: aws.Int32(2),
			Threshold: aws.Float64(1), ComparisonOperator: types.ComparisonOperatorLessThanThreshold, TreatMissingData: aws.String(treat)}
	}
	for _, tc := range []struct {
		name    string
		treat   string
		stat    types.Statistic
		data    []Datum
		current types.StateValue
		want    types.StateValue
	}{
		{"all missing, breaching", "breaching", "Minimum", nil, "OK", "ALARM"},
		{"all missing, notBreaching", "notBreaching", "Minimum", nil, "ALARM", "OK"},
		{"all missing, missing", "missing", "Minimum", nil, "OK", "INSUFFICIENT_DATA"},
		{"all missing, ignore keeps the state", "ignore", "Minimum", nil, "ALARM", "ALARM"},
		{"one breach of three is not two", "breaching", "Minimum", []Datum{at(0, 0), at(1, 1), at(2, 1)}, "OK", "OK"},
		{"one breach plus one missing breaching is two", "breaching", "Minimum", []Datum{at(0, 0), at(2, 1)}, "OK", "ALARM"},
		{"one breach plus one missing notBreaching", "notBreaching", "Minimum", []Datum{at(0, 0), at(2, 1)}, "OK", "OK"},
		{"two publishers: Minimum sees the failing one", "notBreaching", "Minimum", []Datum{at(0, 1), at(0, 0), at(1, 1), at(1, 0), at(2, 1)}, "OK", "ALARM"},
		{"two publishers: Maximum hides it", "notBreaching", "Maximum", []Datum{at(0, 1), at(0, 0), at(1, 1), at(1, 0), at(2, 1)}, "OK", "OK"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, reason, err := EvaluateAlarm(alarm(tc.treat, tc.stat), tc.data, end, tc.current)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("state %s, want %s: %s", got, tc.want, reason)
			}
		})
	}
}

// TestEvaluateMetricMath: FILL supplies a value where a series has none;
// without it the timestamp has no result.
func TestEvaluateMetricMath(t *testing.T) {
	end := time.Unix(1800000000, 0)
	q := func(id string) types.MetricDataQuery {
		return types.MetricDataQuery{Id: aws.String(id), MetricStat: &types.MetricStat{Stat: aws.String("Sum"), Period: aws.Int32(300),
			Metric: &types.Metric{Namespace: aws.String("NS"), MetricName: aws.String(id)}}}
	}
	datum := func(name string, v float64) Datum {
		return Datum{Namespace: "NS", MetricDatum: types.MetricDatum{MetricName: aws.String(name), Timestamp: aws.Time(end.Add(-time.Minute)), Value: aws.Float64(v)}}
	}
	for _, tc := range []struct {
		expr string
		want float64
		ok   bool
	}{
		{"100 * FILL(a, 0) / (FILL(a, 0) + FILL(b, 0))", 100, true},
		{"100 * a / (a + b)", 0, false}, // b has no datapoint
		{"(a + 2) * 3 - 1", 14, true},
	} {
		qs := []types.MetricDataQuery{q("a"), q("b"), {Id: aws.String("e"), Expression: aws.String(tc.expr), ReturnData: aws.Bool(true)}}
		got, err := evalMath(qs, []Datum{datum("a", 3)}, 5*time.Minute, end.Add(-5*time.Minute), end)
		if err != nil {
			t.Fatal(err)
		}
		if got[0].OK != tc.ok || (tc.ok && got[0].Value != tc.want) {
			t.Errorf("%s = %v (%t), want %v (%t)", tc.expr, got[0].Value, got[0].OK, tc.want, tc.ok)
		}
	}
}
