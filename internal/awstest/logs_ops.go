package awstest

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

func (s *Logs) createLogGroup(req *cloudwatchlogs.CreateLogGroupInput) (any, *APIError) {
	name := aws.ToString(req.LogGroupName)
	if name == "" {
		return nil, logsInvalid("logGroupName is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groups[name]; ok {
		return nil, logsExists("The specified log group already exists")
	}
	s.groups[name] = newLogGroup()
	return &cloudwatchlogs.CreateLogGroupOutput{}, nil
}

// newLogGroup returns an empty log group.
func newLogGroup() *logGroup {
	return &logGroup{streams: map[string]bool{}, filters: map[string]types.MetricFilter{}}
}

// group returns the log group called name; the caller holds s.mu.
func (s *Logs) group(name string) (*logGroup, *APIError) {
	g, ok := s.groups[name]
	if !ok {
		return nil, logsNotFound("The specified log group does not exist.")
	}
	return g, nil
}

func (s *Logs) createLogStream(req *cloudwatchlogs.CreateLogStreamInput) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, apiErr := s.group(aws.ToString(req.LogGroupName))
	if apiErr != nil {
		return nil, apiErr
	}
	stream := aws.ToString(req.LogStreamName)
	if g.streams[stream] {
		return nil, logsExists("The specified log stream already exists")
	}
	g.streams[stream] = true
	return &cloudwatchlogs.CreateLogStreamOutput{}, nil
}

func (s *Logs) putLogEvents(req *cloudwatchlogs.PutLogEventsInput) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[aws.ToString(req.LogGroupName)]
	if !ok || !g.streams[aws.ToString(req.LogStreamName)] {
		return nil, logsNotFound("The specified log group or stream does not exist.")
	}
	s.appendEvents(g, aws.ToString(req.LogStreamName), req.LogEvents)
	return &cloudwatchlogs.PutLogEventsOutput{}, nil
}

// appendEvents stores events; the caller holds s.mu.
func (s *Logs) appendEvents(g *logGroup, stream string, events []types.InputLogEvent) {
	ingested := time.Now().UnixMilli()
	for _, e := range events {
		s.seq++
		g.events = append(g.events, types.FilteredLogEvent{
			EventId: aws.String(strconv.FormatInt(s.seq, 10)), LogStreamName: aws.String(stream),
			Timestamp: e.Timestamp, Message: e.Message, IngestionTime: aws.Int64(ingested),
		})
	}
	slices.SortStableFunc(g.events, func(a, b types.FilteredLogEvent) int {
		return int(aws.ToInt64(a.Timestamp) - aws.ToInt64(b.Timestamp))
	})
}

// SeedEvents stores events directly (creating the group and stream if
// needed), without going through the API: for tests of log readers.
func (s *Logs) SeedEvents(group, stream string, events ...types.InputLogEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[group]
	if !ok {
		g = newLogGroup()
		s.groups[group] = g
	}
	g.streams[stream] = true
	s.appendEvents(g, stream, events)
}

// Events returns the stored events of a log group in timestamp order.
func (s *Logs) Events(group string) []types.FilteredLogEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.groups[group]; ok {
		return slices.Clone(g.events)
	}
	return nil
}

// filterLogEvents serves FilterLogEvents: time range [startTime, endTime],
// logStreamNames / logStreamNamePrefix, and a filterPattern with CloudWatch
// Logs semantics (MatchFilter; space-delimited patterns are not
// interpreted and match every event).
// nextToken is an opaque offset into the matching events.
func (s *Logs) filterLogEvents(req *cloudwatchlogs.FilterLogEventsInput) (any, *APIError) {
	name := aws.ToString(req.LogGroupName)
	if name == "" {
		name = aws.ToString(req.LogGroupIdentifier)
	}
	if len(req.LogStreamNames) > 0 && req.LogStreamNamePrefix != nil {
		return nil, logsInvalid("logStreamNames and logStreamNamePrefix are mutually exclusive")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, apiErr := s.group(name)
	if apiErr != nil {
		return nil, apiErr
	}
	pattern := aws.ToString(req.FilterPattern)
	if _, err := MatchFilter(pattern, ""); err != nil && !strings.HasPrefix(strings.TrimSpace(pattern), "[") {
		return nil, logsInvalid("Invalid filter pattern: " + err.Error())
	}
	var matched []types.FilteredLogEvent
	for _, e := range g.events {
		ts, stream := aws.ToInt64(e.Timestamp), aws.ToString(e.LogStreamName)
		switch {
		case req.StartTime != nil && ts < *req.StartTime,
			req.EndTime != nil && ts > *req.EndTime,
			len(req.LogStreamNames) > 0 && !slices.Contains(req.LogStreamNames, stream),
			req.LogStreamNamePrefix != nil && !strings.HasPrefix(stream, *req.LogStreamNamePrefix),
			!matchEvent(pattern, aws.ToString(e.Message)):
			continue
		}
		matched = append(matched, e)
	}
	size := s.pageSize
	if req.Limit != nil && int(*req.Limit) < size {
		size = int(*req.Limit)
	}
	page, next, ok := pageOf(matched, req.NextToken, size)
	if !ok {
		return nil, logsInvalidToken()
	}
	return &cloudwatchlogs.FilterLogEventsOutput{Events: page, NextToken: next}, nil
}

// matchEvent applies a filter pattern to one event; space-delimited
// patterns, which MatchFilter does not implement, match every event.
func matchEvent(pattern, msg string) bool {
	ok, err := MatchFilter(pattern, msg)
	return ok || err != nil
}

func (s *Logs) putMetricFilter(req *cloudwatchlogs.PutMetricFilterInput) (any, *APIError) {
	name := aws.ToString(req.FilterName)
	if name == "" || len(req.MetricTransformations) != 1 {
		return nil, logsInvalid("filterName and exactly one metricTransformation are required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, apiErr := s.group(aws.ToString(req.LogGroupName))
	if apiErr != nil {
		return nil, apiErr
	}
	g.filters[name] = types.MetricFilter{
		FilterName: req.FilterName, FilterPattern: req.FilterPattern, LogGroupName: req.LogGroupName,
		MetricTransformations: req.MetricTransformations, CreationTime: aws.Int64(time.Now().UnixMilli()),
	}
	return &cloudwatchlogs.PutMetricFilterOutput{}, nil
}

func (s *Logs) describeMetricFilters(req *cloudwatchlogs.DescribeMetricFiltersInput) (any, *APIError) {
	var all []types.MetricFilter
	for _, f := range s.MetricFilters(aws.ToString(req.LogGroupName)) {
		mt := f.MetricTransformations[0]
		switch {
		case req.FilterNamePrefix != nil && !strings.HasPrefix(aws.ToString(f.FilterName), *req.FilterNamePrefix),
			req.MetricName != nil && aws.ToString(mt.MetricName) != *req.MetricName,
			req.MetricNamespace != nil && aws.ToString(mt.MetricNamespace) != *req.MetricNamespace:
			continue
		}
		all = append(all, f)
	}
	size := 50
	if req.Limit != nil && *req.Limit > 0 {
		size = int(*req.Limit)
	}
	page, next, ok := pageOf(all, req.NextToken, size)
	if !ok {
		return nil, logsInvalidToken()
	}
	return &cloudwatchlogs.DescribeMetricFiltersOutput{MetricFilters: page, NextToken: next}, nil
}

func (s *Logs) deleteMetricFilter(req *cloudwatchlogs.DeleteMetricFilterInput) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, apiErr := s.group(aws.ToString(req.LogGroupName))
	if apiErr != nil {
		return nil, apiErr
	}
	if _, ok := g.filters[aws.ToString(req.FilterName)]; !ok {
		return nil, logsNotFound("The specified metric filter does not exist.")
	}
	delete(g.filters, aws.ToString(req.FilterName))
	return &cloudwatchlogs.DeleteMetricFilterOutput{}, nil
}

// MetricFilters returns the metric filters of a log group (every group when
// group is empty) sorted by filter name.
func (s *Logs) MetricFilters(group string) []types.MetricFilter {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []types.MetricFilter
	for name, g := range s.groups {
		if group != "" && name != group {
			continue
		}
		for _, f := range g.filters {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b types.MetricFilter) int { return strings.Compare(*a.FilterName, *b.FilterName) })
	return out
}

// testMetricFilter serves TestMetricFilter: which of logEventMessages (1 to
// 50) filterPattern matches, with CloudWatch Logs filter-pattern semantics
// (MatchFilter). eventNumber counts the messages from 1.
func (s *Logs) testMetricFilter(req *cloudwatchlogs.TestMetricFilterInput) (any, *APIError) {
	if req.FilterPattern == nil || len(req.LogEventMessages) == 0 || len(req.LogEventMessages) > 50 {
		return nil, logsInvalid("filterPattern and 1 to 50 logEventMessages are required")
	}
	out := &cloudwatchlogs.TestMetricFilterOutput{Matches: []types.MetricFilterMatchRecord{}}
	for i, m := range req.LogEventMessages {
		ok, err := MatchFilter(*req.FilterPattern, m)
		if err != nil {
			return nil, logsInvalid("Invalid metric filter pattern: " + err.Error())
		}
		if ok {
			out.Matches = append(out.Matches, types.MetricFilterMatchRecord{EventNumber: int64(i + 1), EventMessage: aws.String(m), ExtractedValues: map[string]string{}})
		}
	}
	return out, nil
}
