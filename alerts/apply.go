package alerts

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// CloudWatchAPI is the part of the CloudWatch API the applier needs.
type CloudWatchAPI interface {
	DescribeAlarms(ctx context.Context, in *cloudwatch.DescribeAlarmsInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
	PutMetricAlarm(ctx context.Context, in *cloudwatch.PutMetricAlarmInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricAlarmOutput, error)
	SetAlarmState(ctx context.Context, in *cloudwatch.SetAlarmStateInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.SetAlarmStateOutput, error)
}

// LogsAPI is the part of the CloudWatch Logs API the applier, the filter
// verification and the sample injection need.
type LogsAPI interface {
	DescribeMetricFilters(ctx context.Context, in *cloudwatchlogs.DescribeMetricFiltersInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeMetricFiltersOutput, error)
	PutMetricFilter(ctx context.Context, in *cloudwatchlogs.PutMetricFilterInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutMetricFilterOutput, error)
	TestMetricFilter(ctx context.Context, in *cloudwatchlogs.TestMetricFilterInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.TestMetricFilterOutput, error)
	CreateLogStream(ctx context.Context, in *cloudwatchlogs.CreateLogStreamInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogStreamOutput, error)
	PutLogEvents(ctx context.Context, in *cloudwatchlogs.PutLogEventsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutLogEventsOutput, error)
}

var (
	_ CloudWatchAPI = (*cloudwatch.Client)(nil)
	_ LogsAPI       = (*cloudwatchlogs.Client)(nil)
)

// Actions of a Change.
const (
	ActionCreate    = "create"
	ActionUpdate    = "update"
	ActionUnchanged = "unchanged"
)

// Change is what apply did (or, in a dry run, would do) to one resource.
type Change struct {
	Kind   string // "topic", "subscription", "metric-filter" or "alarm"
	Name   string
	Action string // ActionCreate, ActionUpdate or ActionUnchanged
}

// ApplyResult lists the changes of one apply.
type ApplyResult struct {
	DryRun bool
	// Offline: a dry run without AWS access; nothing was compared, every
	// resource is listed as it would be written.
	Offline bool
	Changes []Change
}

// Changed counts the changes that are not ActionUnchanged.
func (r ApplyResult) Changed() int {
	n := 0
	for _, c := range r.Changes {
		if c.Action != ActionUnchanged {
			n++
		}
	}
	return n
}

// Report writes one line per change and a summary line.
func (r ApplyResult) Report(w io.Writer) error {
	verb := map[string]string{ActionCreate: "created", ActionUpdate: "updated", ActionUnchanged: "unchanged"}
	if r.Offline {
		verb = map[string]string{ActionCreate: "would put"}
	} else if r.DryRun {
		verb = map[string]string{ActionCreate: "would create", ActionUpdate: "would update", ActionUnchanged: "unchanged"}
	}
	var b strings.Builder
	for _, c := range r.Changes {
		if c.Action != ActionUnchanged {
			fmt.Fprintf(&b, "%-13s %-13s %s\n", verb[c.Action], c.Kind, c.Name)
		}
	}
	switch n := r.Changed(); {
	case r.Offline:
		fmt.Fprintf(&b, "dry run offline (no AWS credentials or region): %d resources listed, none compared with AWS; nothing was written\n", len(r.Changes))
	case n == 0:
		fmt.Fprintf(&b, "no changes: %d resources already up to date\n", len(r.Changes))
	case r.DryRun:
		fmt.Fprintf(&b, "dry run: %d of %d resources would change; nothing was written\n", n, len(r.Changes))
	default:
		fmt.Fprintf(&b, "%d of %d resources changed\n", n, len(r.Changes))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// OfflinePlan lists every resource of defs as a dry run would without AWS
// access: nothing compared, each "would put".
func OfflinePlan(defs CloudWatchDefinitions) ApplyResult {
	res := ApplyResult{DryRun: true, Offline: true}
	add := func(kind, name string) {
		res.Changes = append(res.Changes, Change{Kind: kind, Name: name, Action: ActionCreate})
	}
	add("topic", defs.Topic)
	for _, s := range defs.Subscriptions {
		add("subscription", s.Protocol+":"+s.Endpoint)
	}
	for _, f := range defs.MetricFilters {
		add("metric-filter", f.Name)
	}
	for _, a := range defs.Alarms {
		add("alarm", a.Name)
	}
	return res
}

// Applier creates or updates the CloudWatch definitions idempotently: it
// describes what exists and writes only what differs.
type Applier struct {
	cw     CloudWatchAPI
	logs   LogsAPI
	topics TopicAPI
	logger *slog.Logger
}

// NewApplier returns an Applier over the given APIs. A nil logger discards.
func NewApplier(cw CloudWatchAPI, logs LogsAPI, topics TopicAPI, logger *slog.Logger) *Applier {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Applier{cw: cw, logs: logs, topics: topics, logger: logger.With("component", "alerts.apply")}
}

// pendingTopicARN stands for the topic's ARN in a dry run before it exists.
const pendingTopicARN = "arn:aws:sns:(pending):(pending):"

// Apply makes CloudWatch match defs. With dryRun it only describes (read
// calls) and reports what it would change.
func (a *Applier) Apply(ctx context.Context, defs CloudWatchDefinitions, dryRun bool) (ApplyResult, error) {
	res := ApplyResult{DryRun: dryRun}
	add := func(kind, name, action string) {
		res.Changes = append(res.Changes, Change{Kind: kind, Name: name, Action: action})
		if action != ActionUnchanged {
			a.logger.InfoContext(ctx, "cloudwatch change", "kind", kind, "name", name, "action", action, "dry_run", dryRun)
		}
	}
	arn, err := a.applyTopic(ctx, defs, dryRun, add)
	if err != nil {
		return res, err
	}
	for _, f := range defs.MetricFilters {
		action, err := a.applyFilter(ctx, f, dryRun)
		if err != nil {
			return res, err
		}
		add("metric-filter", f.Name, action)
	}
	existing, err := a.describeAlarms(ctx, defs.Alarms)
	if err != nil {
		return res, err
	}
	for _, al := range defs.Alarms {
		in := al.input(arn)
		action := ActionCreate
		if cur, ok := existing[al.Name]; ok {
			action = ActionUpdate
			if reflect.DeepEqual(specOfInput(in), specOfAlarm(cur)) {
				action = ActionUnchanged
			}
		}
		if action != ActionUnchanged && !dryRun {
			if _, err := a.cw.PutMetricAlarm(ctx, in); err != nil {
				return res, fmt.Errorf("put alarm %s: %w", al.Name, err)
			}
		}
		add("alarm", al.Name, action)
	}
	return res, nil
}

func (a *Applier) applyTopic(ctx context.Context, defs CloudWatchDefinitions, dryRun bool, add func(kind, name, action string)) (string, error) {
	arn, err := a.topics.FindTopic(ctx, defs.Topic)
	if err != nil {
		return "", fmt.Errorf("find topic %s: %w", defs.Topic, err)
	}
	var have []Subscription
	switch {
	case arn == "" && dryRun:
		arn = pendingTopicARN + defs.Topic
		add("topic", defs.Topic, ActionCreate)
	case arn == "":
		if arn, err = a.topics.CreateTopic(ctx, defs.Topic); err != nil {
			return "", fmt.Errorf("create topic %s: %w", defs.Topic, err)
		}
		add("topic", defs.Topic, ActionCreate)
	default:
		add("topic", defs.Topic, ActionUnchanged)
		if have, err = a.topics.Subscriptions(ctx, arn); err != nil {
			return "", fmt.Errorf("list subscriptions of %s: %w", defs.Topic, err)
		}
	}
	for _, s := range defs.Subscriptions {
		name := s.Protocol + ":" + s.Endpoint
		if containsSub(have, s) {
			add("subscription", name, ActionUnchanged)
			continue
		}
		if !dryRun {
			if err := a.topics.Subscribe(ctx, arn, s); err != nil {
				return "", fmt.Errorf("subscribe %s to %s: %w", s.Protocol, defs.Topic, err)
			}
		}
		add("subscription", name, ActionCreate)
	}
	return arn, nil
}

func containsSub(have []Subscription, s Subscription) bool {
	for _, h := range have {
		if h == s {
			return true
		}
	}
	return false
}

func (a *Applier) applyFilter(ctx context.Context, f MetricFilter, dryRun bool) (string, error) {
	out, err := a.logs.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{
		LogGroupName: aws.String(f.LogGroup), FilterNamePrefix: aws.String(f.Name)})
	if err != nil {
		return "", fmt.Errorf("describe metric filter %s in %s (does the log group exist? set cloudwatch.*_log_group): %w", f.Name, f.LogGroup, err)
	}
	want := f.input()
	action := ActionCreate
	for _, cur := range out.MetricFilters {
		if aws.ToString(cur.FilterName) != f.Name {
			continue
		}
		action = ActionUpdate
		if aws.ToString(cur.FilterPattern) == f.Pattern && reflect.DeepEqual(transformSpec(cur.MetricTransformations), transformSpec(want.MetricTransformations)) {
			action = ActionUnchanged
		}
	}
	if action != ActionUnchanged && !dryRun {
		if _, err := a.logs.PutMetricFilter(ctx, want); err != nil {
			return "", fmt.Errorf("put metric filter %s in %s: %w", f.Name, f.LogGroup, err)
		}
	}
	return action, nil
}

// describeAlarms returns the existing alarms among defs by name.
func (a *Applier) describeAlarms(ctx context.Context, alarms []Alarm) (map[string]cwtypes.MetricAlarm, error) {
	found := map[string]cwtypes.MetricAlarm{}
	for start := 0; start < len(alarms); start += 100 {
		var names []string
		for _, al := range alarms[start:min(start+100, len(alarms))] {
			names = append(names, al.Name)
		}
		p := cloudwatch.NewDescribeAlarmsPaginator(a.cw, &cloudwatch.DescribeAlarmsInput{
			AlarmNames: names, AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm}})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("describe alarms: %w", err)
			}
			for _, m := range out.MetricAlarms {
				found[aws.ToString(m.AlarmName)] = m
			}
		}
	}
	return found, nil
}

func (f MetricFilter) input() *cloudwatchlogs.PutMetricFilterInput {
	return &cloudwatchlogs.PutMetricFilterInput{
		FilterName: aws.String(f.Name), LogGroupName: aws.String(f.LogGroup), FilterPattern: aws.String(f.Pattern),
		MetricTransformations: []logtypes.MetricTransformation{{
			MetricName: aws.String(f.MetricName), MetricNamespace: aws.String(f.Namespace), MetricValue: aws.String(f.Value)}},
	}
}

func transformSpec(ts []logtypes.MetricTransformation) []string {
	var out []string
	for _, t := range ts {
		out = append(out, aws.ToString(t.MetricNamespace)+"|"+aws.ToString(t.MetricName)+"|"+aws.ToString(t.MetricValue))
	}
	return out
}

// input renders the PutMetricAlarm request, notifying topicARN on ALARM and OK.
func (al Alarm) input(topicARN string) *cloudwatch.PutMetricAlarmInput {
	in := &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String(al.Name), AlarmDescription: aws.String(al.Description),
		ActionsEnabled: aws.Bool(true), AlarmActions: []string{topicARN}, OKActions: []string{topicARN},
		EvaluationPeriods: aws.Int32(al.EvaluationPeriods), DatapointsToAlarm: aws.Int32(al.DatapointsToAlarm),
		Threshold: aws.Float64(al.Threshold), ComparisonOperator: cwtypes.ComparisonOperator(al.Comparison),
		TreatMissingData: aws.String(al.TreatMissingData),
	}
	if len(al.Metrics) == 0 {
		in.Namespace, in.MetricName = aws.String(al.Namespace), aws.String(al.MetricName)
		in.Statistic, in.Period = cwtypes.Statistic(al.Statistic), aws.Int32(al.Period)
		in.Dimensions = dimensions(al.Dimensions)
		return in
	}
	for _, q := range al.Metrics {
		mq := cwtypes.MetricDataQuery{Id: aws.String(q.ID), ReturnData: aws.Bool(q.ReturnData)}
		if q.Label != "" {
			mq.Label = aws.String(q.Label)
		}
		if q.Expression != "" {
			mq.Expression = aws.String(q.Expression)
		} else {
			mq.MetricStat = &cwtypes.MetricStat{Stat: aws.String(q.Stat), Period: aws.Int32(q.Period),
				Metric: &cwtypes.Metric{Namespace: aws.String(q.Namespace), MetricName: aws.String(q.MetricName), Dimensions: dimensions(q.Dimensions)}}
		}
		in.Metrics = append(in.Metrics, mq)
	}
	return in
}

func dimensions(m map[string]string) []cwtypes.Dimension {
	var out []cwtypes.Dimension
	for _, k := range sortedKeys(m) {
		out = append(out, cwtypes.Dimension{Name: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

// alarmSpec is the comparable content of an alarm, from either side.
type alarmSpec struct {
	Description, Namespace, MetricName, Statistic, Comparison, TreatMissing string
	Dimensions, Actions, OKActions, Metrics                                 []string
	Period, Evaluation, Datapoints                                          int32
	Threshold                                                               float64
	Enabled                                                                 bool
}

func dimSpec(ds []cwtypes.Dimension) []string {
	var out []string
	for _, d := range ds {
		out = append(out, aws.ToString(d.Name)+"="+aws.ToString(d.Value))
	}
	sort.Strings(out)
	return out
}

func querySpec(qs []cwtypes.MetricDataQuery) []string {
	var out []string
	for _, q := range qs {
		s := fmt.Sprintf("%s|%s|%s|%t", aws.ToString(q.Id), aws.ToString(q.Expression), aws.ToString(q.Label), aws.ToBool(q.ReturnData))
		if m := q.MetricStat; m != nil && m.Metric != nil {
			s += fmt.Sprintf("|%s|%s|%v|%s|%d", aws.ToString(m.Metric.Namespace), aws.ToString(m.Metric.MetricName),
				dimSpec(m.Metric.Dimensions), aws.ToString(m.Stat), aws.ToInt32(m.Period))
		}
		out = append(out, s)
	}
	return out
}

func specOfInput(in *cloudwatch.PutMetricAlarmInput) alarmSpec {
	return alarmSpec{
		Description: aws.ToString(in.AlarmDescription), Namespace: aws.ToString(in.Namespace), MetricName: aws.ToString(in.MetricName),
		Statistic: string(in.Statistic), Comparison: string(in.ComparisonOperator), TreatMissing: aws.ToString(in.TreatMissingData),
		Dimensions: dimSpec(in.Dimensions), Actions: in.AlarmActions, OKActions: in.OKActions, Metrics: querySpec(in.Metrics),
		Period: aws.ToInt32(in.Period), Evaluation: aws.ToInt32(in.EvaluationPeriods), Datapoints: aws.ToInt32(in.DatapointsToAlarm),
		Threshold: aws.ToFloat64(in.Threshold), Enabled: aws.ToBool(in.ActionsEnabled),
	}
}

func specOfAlarm(m cwtypes.MetricAlarm) alarmSpec {
	return alarmSpec{
		Description: aws.ToString(m.AlarmDescription), Namespace: aws.ToString(m.Namespace), MetricName: aws.ToString(m.MetricName),
		Statistic: string(m.Statistic), Comparison: string(m.ComparisonOperator), TreatMissing: aws.ToString(m.TreatMissingData),
		Dimensions: dimSpec(m.Dimensions), Actions: m.AlarmActions, OKActions: m.OKActions, Metrics: querySpec(m.Metrics),
		Period: aws.ToInt32(m.Period), Evaluation: aws.ToInt32(m.EvaluationPeriods), Datapoints: aws.ToInt32(m.DatapointsToAlarm),
		Threshold: aws.ToFloat64(m.Threshold), Enabled: aws.ToBool(m.ActionsEnabled),
	}
}

// TestNotify sets the alarm's state (default ALARM) so the notification
// path (SNS → subscribers) can be checked end to end; CloudWatch moves it
// back on its next evaluation.
func TestNotify(ctx context.Context, cw CloudWatchAPI, defs CloudWatchDefinitions, alarm, state string) error {
	name := ""
	for _, a := range defs.Alarms {
		if a.Name == alarm || strings.HasSuffix(a.Name, "-"+alarm) {
			name = a.Name
		}
	}
	if name == "" {
		var names []string
		for _, a := range defs.Alarms {
			names = append(names, a.Name)
		}
		return fmt.Errorf("%w: %q (known: %s)", ErrUnknownAlarm, alarm, strings.Join(names, ", "))
	}
	sv := cwtypes.StateValue(state)
	if sv != cwtypes.StateValueAlarm && sv != cwtypes.StateValueOk && sv != cwtypes.StateValueInsufficientData {
		return fmt.Errorf("%w: state %q: must be ALARM, OK or INSUFFICIENT_DATA", ErrUsage, state)
	}
	_, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(name), StateValue: sv,
		StateReason: aws.String("voicewatch test-notify: testing the notification path, not a real incident")})
	if err != nil {
		return fmt.Errorf("set alarm state of %s: %w", name, err)
	}
	return nil
}
