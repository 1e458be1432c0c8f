package awstest

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// testAccount is the account ID used in every ARN the servers return.
const testAccount = "123456789012"

func alarmNotFound(name string) *APIError {
	return &APIError{Status: http.StatusNotFound, Shape: "ResourceNotFound", Message: "alarm " + name + " does not exist", Fault: "Sender"}
}

func (s *CloudWatch) putMetricAlarm(req *cloudwatch.PutMetricAlarmInput) (any, *APIError) {
	if req.AlarmName == nil || *req.AlarmName == "" {
		return nil, cwInvalid("AlarmName is required")
	}
	if req.MetricName == nil && len(req.Metrics) == 0 {
		return nil, cwInvalid("either MetricName or Metrics must be specified")
	}
	var a types.MetricAlarm
	copyFields(&a, req)
	now := time.Now().UTC()
	a.AlarmArn = aws.String("arn:aws:cloudwatch:us-east-1:" + testAccount + ":alarm:" + *req.AlarmName)
	a.AlarmConfigurationUpdatedTimestamp = &now
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.alarms[*req.AlarmName]; ok {
		a.StateValue, a.StateReason, a.StateUpdatedTimestamp = old.StateValue, old.StateReason, old.StateUpdatedTimestamp
	} else {
		a.StateValue = types.StateValueInsufficientData
		a.StateReason = aws.String("Unchecked: Initial alarm creation")
		a.StateUpdatedTimestamp = &now
	}
	s.alarms[*req.AlarmName] = a
	return &cloudwatch.PutMetricAlarmOutput{}, nil
}

func (s *CloudWatch) describeAlarms(req *cloudwatch.DescribeAlarmsInput) (any, *APIError) {
	var matched []types.MetricAlarm
	for _, a := range s.Alarms() {
		name := aws.ToString(a.AlarmName)
		switch {
		case len(req.AlarmNames) > 0 && !slices.Contains(req.AlarmNames, name),
			req.AlarmNamePrefix != nil && !strings.HasPrefix(name, *req.AlarmNamePrefix),
			req.StateValue != "" && req.StateValue != a.StateValue,
			req.ActionPrefix != nil && !hasActionPrefix(a, *req.ActionPrefix):
			continue
		}
		matched = append(matched, a)
	}
	size := 50
	if req.MaxRecords != nil && *req.MaxRecords > 0 {
		size = int(*req.MaxRecords)
	}
	page, next, ok := pageOf(matched, req.NextToken, size)
	if !ok {
		return nil, &APIError{Status: http.StatusBadRequest, Shape: "InvalidNextToken", Message: "invalid NextToken", Fault: "Sender"}
	}
	return &cloudwatch.DescribeAlarmsOutput{MetricAlarms: page, NextToken: next}, nil
}

func hasActionPrefix(a types.MetricAlarm, prefix string) bool {
	for _, l := range [][]string{a.AlarmActions, a.OKActions, a.InsufficientDataActions} {
		for _, act := range l {
			if strings.HasPrefix(act, prefix) {
				return true
			}
		}
	}
	return false
}

func (s *CloudWatch) deleteAlarms(req *cloudwatch.DeleteAlarmsInput) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if apiErr := deleteAll(s.alarms, req.AlarmNames, alarmNotFound); apiErr != nil {
		return nil, apiErr
	}
	return &cloudwatch.DeleteAlarmsOutput{}, nil
}

func (s *CloudWatch) setAlarmState(req *cloudwatch.SetAlarmStateInput) (any, *APIError) {
	name := aws.ToString(req.AlarmName)
	switch req.StateValue {
	case types.StateValueOk, types.StateValueAlarm, types.StateValueInsufficientData:
	default:
		return nil, cwInvalid("invalid StateValue " + string(req.StateValue))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.alarms[name]
	if !ok {
		return nil, alarmNotFound(name)
	}
	now := time.Now().UTC()
	a.StateValue = req.StateValue
	a.StateReason = req.StateReason
	a.StateReasonData = req.StateReasonData
	a.StateUpdatedTimestamp = &now
	a.StateTransitionedTimestamp = &now
	s.alarms[name] = a
	return &cloudwatch.SetAlarmStateOutput{}, nil
}

// Alarms returns the stored metric alarms sorted by name.
func (s *CloudWatch) Alarms() []types.MetricAlarm {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]types.MetricAlarm, 0, len(s.alarms))
	for _, a := range s.alarms {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b types.MetricAlarm) int { return strings.Compare(*a.AlarmName, *b.AlarmName) })
	return out
}

// Alarm returns the stored alarm with that name.
func (s *CloudWatch) Alarm(name string) (types.MetricAlarm, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.alarms[name]
	return a, ok
}

// deleteAll deletes every name from m, or none when one is missing (the
// service's all-or-nothing Delete* calls): notFound names it.
func deleteAll[V any](m map[string]V, names []string, notFound func(string) *APIError) *APIError {
	for _, n := range names {
		if _, ok := m[n]; !ok {
			return notFound(n)
		}
	}
	for _, n := range names {
		delete(m, n)
	}
	return nil
}
