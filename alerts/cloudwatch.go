package alerts

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"github.com/voicewatch/voicewatch/exporter/cloudwatch/catalog"
)

// CloudWatch comparison operators and missing-data treatments used here.
const (
	cmpGE = "GreaterThanOrEqualToThreshold"
	cmpGT = "GreaterThanThreshold"
	cmpLT = "LessThanThreshold"

	missingNotBreaching = "notBreaching"
	missingBreaching    = "breaching"
)

// CloudWatchDefinitions is everything `agent alerts apply --cloudwatch`
// creates: the SNS topic with its subscriptions, the log metric filters and
// the alarms. It is also exported as JSON for review.
type CloudWatchDefinitions struct {
	Topic         string         `json:"topic"`
	Subscriptions []Subscription `json:"subscriptions"`
	MetricFilters []MetricFilter `json:"metric_filters"`
	Alarms        []Alarm        `json:"alarms"`
}

// Alarm is one CloudWatch metric alarm: either a single metric (Namespace,
// MetricName, Dimensions, Statistic) or metric math (Metrics).
type Alarm struct {
	Name              string            `json:"name"`
	Description       string            `json:"description"`
	Namespace         string            `json:"namespace,omitempty"`
	MetricName        string            `json:"metric_name,omitempty"`
	Dimensions        map[string]string `json:"dimensions,omitempty"`
	Statistic         string            `json:"statistic,omitempty"`
	Metrics           []MetricQuery     `json:"metrics,omitempty"`
	Period            int32             `json:"period_seconds"`
	EvaluationPeriods int32             `json:"evaluation_periods"`
	DatapointsToAlarm int32             `json:"datapoints_to_alarm"`
	Threshold         float64           `json:"threshold"`
	Comparison        string            `json:"comparison"`
	TreatMissingData  string            `json:"treat_missing_data"`
	// MinThreshold and MaxThreshold bound what Threshold may be set to.
	MinThreshold float64 `json:"-"`
	MaxThreshold float64 `json:"-"`
}

// MetricQuery is one query of a metric-math alarm: a metric (MetricName set)
// or an expression (Expression set).
type MetricQuery struct {
	ID         string            `json:"id"`
	Expression string            `json:"expression,omitempty"`
	Label      string            `json:"label,omitempty"`
	Namespace  string            `json:"namespace,omitempty"`
	MetricName string            `json:"metric_name,omitempty"`
	Dimensions map[string]string `json:"dimensions,omitempty"`
	Stat       string            `json:"stat,omitempty"`
	Period     int32             `json:"period_seconds,omitempty"`
	ReturnData bool              `json:"return_data"`
}

// MetricFilter is one CloudWatch Logs metric filter: every matching log
// event adds Value to MetricName in Namespace.
type MetricFilter struct {
	Name       string `json:"name"`
	LogGroup   string `json:"log_group"`
	Pattern    string `json:"pattern"`
	Namespace  string `json:"namespace"`
	MetricName string `json:"metric_name"`
	Value      string `json:"value"`
	// Samples are log lines the filter must match: our JSON events as the
	// media core logs them, and the incident's bot lines. `apply --verify`
	// checks them with TestMetricFilter; `test-notify --inject` writes them
	// to LogGroup.
	Samples []string `json:"samples"`
	// NotMatching are log lines the filter must not match (e.g. an STT
	// silence timeout, which is not a provider error).
	NotMatching []string `json:"not_matching,omitempty"`
}

// CloudWatchDefinitions returns the CloudWatch definitions with threshold overrides
// applied and every alarm validated.
func (c Config) CloudWatchDefinitions() (CloudWatchDefinitions, error) {
	cw := c.CloudWatch
	d := CloudWatchDefinitions{
		Topic:         cw.TopicName,
		Subscriptions: cw.Subscriptions,
		MetricFilters: c.metricFilters(),
		Alarms:        c.alarms(),
	}
	byName := map[string]int{}
	for i, a := range d.Alarms {
		byName[a.Name] = i
	}
	for _, short := range sortedKeys(cw.Thresholds) {
		i, ok := byName[cw.AlarmPrefix+short]
		if !ok {
			return CloudWatchDefinitions{}, fmt.Errorf("%w: cloudwatch.thresholds has %q; known alarms: %v", ErrUnknownAlarm, short, c.alarmShortNames())
		}
		d.Alarms[i].Threshold = cw.Thresholds[short]
	}
	for _, a := range d.Alarms {
		if err := a.Validate(); err != nil {
			return CloudWatchDefinitions{}, err
		}
		if err := c.checkCatalogue(a); err != nil {
			return CloudWatchDefinitions{}, err
		}
	}
	return d, nil
}

// checkCatalogue checks every metric an alarm reads in our namespace
// (each metric of a metric-math alarm too) against the CloudWatch
// catalogue: CloudWatch matches namespace, name and the exact dimension
// set, so the set must be one the sidecar publishes, with the sidecar's
// Service and Environment, read with the catalogue's statistic.
func (c Config) checkCatalogue(a Alarm) error {
	type read struct {
		ns, name, stat string
		dims           map[string]string
	}
	reads := []read{{a.Namespace, a.MetricName, a.Statistic, a.Dimensions}}
	if len(a.Metrics) > 0 {
		reads = reads[:0]
		for _, q := range a.Metrics {
			if q.MetricName != "" {
				reads = append(reads, read{q.Namespace, q.MetricName, q.Stat, q.Dimensions})
			}
		}
	}
	for _, r := range reads {
		if r.ns != c.CloudWatch.Namespace {
			continue
		}
		m, ok := catalog.Lookup(r.name)
		if !ok {
			return fmt.Errorf("%w: alarm %s reads %s, which is not in the CloudWatch catalogue: the sidecar never publishes it", ErrUnknownMetric, a.Name, r.name)
		}
		var labels []string
		for k, v := range r.dims {
			switch k {
			case catalog.DimService:
				if v != c.CloudWatch.Service {
					return fmt.Errorf("%w: alarm %s: Service %q, the sidecar publishes %q", ErrInvalidConfig, a.Name, v, c.CloudWatch.Service)
				}
			case catalog.DimEnvironment:
				if v != c.CloudWatch.Environment {
					return fmt.Errorf("%w: alarm %s: Environment %q, the sidecar publishes %q", ErrInvalidConfig, a.Name, v, c.CloudWatch.Environment)
				}
			default:
				labels = append(labels, k)
			}
		}
		if len(r.dims)-len(labels) != 2 || !m.HasSet(labels...) {
			return fmt.Errorf("%w: alarm %s reads %s with dimensions %v, which is not a dimension set the sidecar publishes (Service, Environment and one of %v)",
				ErrUnknownMetric, a.Name, r.name, r.dims, m.Dimensions)
		}
		if r.stat != m.Statistic {
			return fmt.Errorf("%w: alarm %s reads %s with %s; with several sidecars publishing it the catalogue's statistic is %s", ErrInvalidConfig, a.Name, r.name, r.stat, m.Statistic)
		}
	}
	return nil
}

func (c Config) alarmShortNames() []string {
	var out []string
	for _, a := range c.alarms() {
		out = append(out, a.Name[len(c.CloudWatch.AlarmPrefix):])
	}
	sort.Strings(out)
	return out
}

// Validate rejects thresholds outside the alarm's range and evaluation
// settings CloudWatch would refuse or that could never alarm.
func (a Alarm) Validate() error {
	switch {
	case math.IsNaN(a.Threshold) || math.IsInf(a.Threshold, 0):
		return fmt.Errorf("%w: alarm %s: threshold %v is not a number", ErrInvalidThreshold, a.Name, a.Threshold)
	case a.Threshold < a.MinThreshold || a.Threshold > a.MaxThreshold:
		return fmt.Errorf("%w: alarm %s: threshold %v is outside [%v, %v] for %s", ErrInvalidThreshold, a.Name, a.Threshold, a.MinThreshold, a.MaxThreshold, a.unitHint())
	case a.Period != 10 && a.Period != 30 && (a.Period <= 0 || a.Period%60 != 0):
		return fmt.Errorf("%w: alarm %s: period %ds must be 10, 30 or a multiple of 60", ErrInvalidThreshold, a.Name, a.Period)
	case a.EvaluationPeriods < 1:
		return fmt.Errorf("%w: alarm %s: evaluation_periods %d must be at least 1", ErrInvalidThreshold, a.Name, a.EvaluationPeriods)
	case a.DatapointsToAlarm < 1 || a.DatapointsToAlarm > a.EvaluationPeriods:
		return fmt.Errorf("%w: alarm %s: datapoints_to_alarm %d must be between 1 and evaluation_periods (%d)", ErrInvalidThreshold, a.Name, a.DatapointsToAlarm, a.EvaluationPeriods)
	case int64(a.Period)*int64(a.EvaluationPeriods) > 86400:
		return fmt.Errorf("%w: alarm %s: period × evaluation_periods = %ds exceeds CloudWatch's one-day limit", ErrInvalidThreshold, a.Name, int64(a.Period)*int64(a.EvaluationPeriods))
	}
	return nil
}

func (a Alarm) unitHint() string {
	if a.MaxThreshold == 100 {
		return "a percentage"
	}
	return "this metric"
}

// Marshal encodes the definitions as indented JSON.
func (d CloudWatchDefinitions) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode cloudwatch definitions: %w", err)
	}
	return append(b, '\n'), nil
}
