package awstest

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// This file evaluates metric alarms over datums the way the CloudWatch
// documentation describes it, so that tests can prove an alarm definition
// (statistic, period, evaluation periods, datapoints to alarm, threshold,
// comparison, missing-data treatment) pages on the datapoints a fault
// produces and stays quiet on a healthy run.
//
// Matching ("Amazon CloudWatch concepts", Dimensions): "CloudWatch treats
// each unique combination of dimensions as a separate metric. You can't
// retrieve statistics using combinations of dimensions that you did not
// specially publish." A query reads the datums with the same namespace,
// name and exactly the same dimension set.
//
// Statistics are computed per period over every datum in it, whoever sent
// it (several sidecars publishing the same metric are aggregated together):
// Sum, Minimum, Maximum, SampleCount, Average, and pNN from Values/Counts.

// Statistic computes stat over the datums of metric m (namespace, name,
// exact dimensions) in each period of the given length in [start, end),
// periods aligned to start. A period without datums has no value (ok
// false).
func Statistic(data []Datum, namespace, name string, dims []types.Dimension, stat string, period time.Duration, start, end time.Time) []PeriodValue {
	n := int(end.Sub(start) / period)
	type acc struct {
		values, counts []float64
	}
	accs := make([]acc, n)
	want := dimKey(dims)
	for _, d := range data {
		if d.Namespace != namespace || aws.ToString(d.MetricName) != name || dimKey(d.Dimensions) != want || d.Timestamp == nil {
			continue
		}
		ts := *d.Timestamp
		if ts.Before(start) || !ts.Before(end) {
			continue
		}
		i := int(ts.Sub(start) / period)
		if d.Value != nil {
			accs[i].values = append(accs[i].values, *d.Value)
			accs[i].counts = append(accs[i].counts, 1)
		}
		for j, v := range d.Values {
			c := 1.0
			if j < len(d.Counts) {
				c = d.Counts[j]
			}
			accs[i].values = append(accs[i].values, v)
			accs[i].counts = append(accs[i].counts, c)
		}
	}
	out := make([]PeriodValue, n)
	for i, a := range accs {
		out[i].Start = start.Add(time.Duration(i) * period)
		if len(a.values) == 0 {
			continue
		}
		out[i].Value, out[i].OK = compute(stat, a.values, a.counts), true
	}
	return out
}

// PeriodValue is a statistic's value in one period.
type PeriodValue struct {
	Start time.Time
	Value float64
	OK    bool // false: no datapoint in the period (missing)
}

func compute(stat string, values, counts []float64) float64 {
	var sum, n float64
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, v := range values {
		sum += v * counts[i]
		n += counts[i]
		lo, hi = min(lo, v), max(hi, v)
	}
	switch {
	case stat == "Sum":
		return sum
	case stat == "Minimum":
		return lo
	case stat == "Maximum":
		return hi
	case stat == "SampleCount":
		return n
	case stat == "Average":
		return sum / n
	case strings.HasPrefix(stat, "p"):
		p, err := strconv.ParseFloat(stat[1:], 64)
		if err != nil {
			return math.NaN()
		}
		idx := make([]int, len(values))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int { return cmpFloat(values[a], values[b]) })
		rank, seen := p/100*n, 0.0
		for _, i := range idx {
			seen += counts[i]
			if seen >= rank {
				return values[i]
			}
		}
		return hi
	}
	return math.NaN()
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func dimKey(ds []types.Dimension) string {
	var parts []string
	for _, d := range ds {
		parts = append(parts, aws.ToString(d.Name)+"="+aws.ToString(d.Value))
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

// EvaluateAlarm returns the state alarm a enters at end given the datums
// data and its current state: its metric (or the metric-math expression
// that returns data) over the last EvaluationPeriods periods before end,
// compared with the threshold, M (DatapointsToAlarm) out of N
// (EvaluationPeriods), missing data treated as the alarm says. The reason
// lists the periods' values.
//
// The missing-data rules, from "Configuring how CloudWatch alarms treat
// missing data" in the CloudWatch User Guide:
//
//   - notBreaching: "Missing data points are treated as 'good' and within
//     the threshold."
//   - breaching: "Missing data points are treated as 'bad' and breaching
//     the threshold."
//   - ignore: "The current alarm state is maintained."
//   - missing: "If all data points in the alarm evaluation range are
//     missing, the alarm transitions to INSUFFICIENT_DATA." The default
//     when TreatMissingData is omitted.
//
// With missing or ignore and only some periods missing, the alarm is
// evaluated on the datapoints that exist: ALARM when at least
// DatapointsToAlarm of them breach, else OK.
func EvaluateAlarm(a types.MetricAlarm, data []Datum, end time.Time, current types.StateValue) (types.StateValue, string, error) {
	n := int(aws.ToInt32(a.EvaluationPeriods))
	m := int(aws.ToInt32(a.DatapointsToAlarm))
	if m == 0 {
		m = n
	}
	period := time.Duration(aws.ToInt32(a.Period)) * time.Second
	if len(a.Metrics) > 0 {
		period = 0
		for _, q := range a.Metrics {
			if q.MetricStat != nil {
				period = time.Duration(aws.ToInt32(q.MetricStat.Period)) * time.Second
			}
		}
	}
	if n < 1 || period <= 0 {
		return "", "", fmt.Errorf("alarm %s: evaluation periods %d, period %s", aws.ToString(a.AlarmName), n, period)
	}
	start := end.Add(-time.Duration(n) * period)
	var series []PeriodValue
	if len(a.Metrics) == 0 {
		series = Statistic(data, aws.ToString(a.Namespace), aws.ToString(a.MetricName), a.Dimensions, string(a.Statistic), period, start, end)
	} else {
		var err error
		if series, err = evalMath(a.Metrics, data, period, start, end); err != nil {
			return "", "", fmt.Errorf("alarm %s: %w", aws.ToString(a.AlarmName), err)
		}
	}
	threshold := aws.ToFloat64(a.Threshold)
	breaches, present := 0, 0
	var vals []string
	for _, p := range series {
		if !p.OK {
			vals = append(vals, "missing")
			switch aws.ToString(a.TreatMissingData) {
			case "breaching":
				breaches++
				present++
			case "notBreaching":
				present++
			}
			continue
		}
		vals = append(vals, strconv.FormatFloat(p.Value, 'g', 6, 64))
		present++
		if breach(a.ComparisonOperator, p.Value, threshold) {
			breaches++
		}
	}
	reason := fmt.Sprintf("[%s] %s %v: %d of %d breach (%d to alarm)", strings.Join(vals, " "), a.ComparisonOperator, threshold, breaches, n, m)
	if present == 0 {
		if aws.ToString(a.TreatMissingData) == "ignore" {
			return current, reason, nil
		}
		return types.StateValueInsufficientData, reason, nil
	}
	if breaches >= m {
		return types.StateValueAlarm, reason, nil
	}
	return types.StateValueOk, reason, nil
}

func breach(op types.ComparisonOperator, v, t float64) bool {
	switch op {
	case types.ComparisonOperatorGreaterThanOrEqualToThreshold:
		return v >= t
	case types.ComparisonOperatorGreaterThanThreshold:
		return v > t
	case types.ComparisonOperatorLessThanThreshold:
		return v < t
	case types.ComparisonOperatorLessThanOrEqualToThreshold:
		return v <= t
	}
	return false
}

// evalMath evaluates the query of a metric-math alarm that returns data.
// Supported: metric queries, numbers, + - * / with parentheses, and
// FILL(id, constant), as in "Using metric math": arithmetic on time series
// is done per timestamp, and a timestamp where an operand has no value has
// no result unless FILL supplies one.
func evalMath(qs []types.MetricDataQuery, data []Datum, period time.Duration, start, end time.Time) ([]PeriodValue, error) {
	series := map[string][]PeriodValue{}
	var expr string
	for _, q := range qs {
		id := aws.ToString(q.Id)
		if ms := q.MetricStat; ms != nil && ms.Metric != nil {
			series[id] = Statistic(data, aws.ToString(ms.Metric.Namespace), aws.ToString(ms.Metric.MetricName), ms.Metric.Dimensions,
				aws.ToString(ms.Stat), period, start, end)
		}
		if aws.ToBool(q.ReturnData) {
			expr = aws.ToString(q.Expression)
		}
	}
	if expr == "" {
		return nil, fmt.Errorf("no expression returns data")
	}
	n := int(end.Sub(start) / period)
	out := make([]PeriodValue, n)
	for i := range out {
		out[i].Start = start.Add(time.Duration(i) * period)
		p := &mathParser{s: expr, at: func(id string) (float64, bool) {
			s, ok := series[id]
			if !ok {
				return 0, false
			}
			return s[i].Value, s[i].OK
		}}
		v, ok, err := p.parse()
		if err != nil {
			return nil, err
		}
		out[i].Value, out[i].OK = v, ok && !math.IsNaN(v) && !math.IsInf(v, 0)
	}
	return out, nil
}

// mathParser is a recursive-descent parser and evaluator of one timestamp.
type mathParser struct {
	s  string
	i  int
	at func(id string) (float64, bool)
}

func (p *mathParser) parse() (float64, bool, error) {
	v, ok, err := p.sum()
	p.skip()
	if err == nil && p.i < len(p.s) {
		err = fmt.Errorf("metric math %q: unexpected %q", p.s, p.s[p.i:])
	}
	return v, ok, err
}

func (p *mathParser) skip() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *mathParser) sum() (float64, bool, error) {
	v, ok, err := p.product()
	for err == nil {
		p.skip()
		if p.i >= len(p.s) || (p.s[p.i] != '+' && p.s[p.i] != '-') {
			break
		}
		op := p.s[p.i]
		p.i++
		w, wok, werr := p.product()
		if err = werr; op == '+' {
			v += w
		} else {
			v -= w
		}
		ok = ok && wok
	}
	return v, ok, err
}

func (p *mathParser) product() (float64, bool, error) {
	v, ok, err := p.operand()
	for err == nil {
		p.skip()
		if p.i >= len(p.s) || (p.s[p.i] != '*' && p.s[p.i] != '/') {
			break
		}
		op := p.s[p.i]
		p.i++
		w, wok, werr := p.operand()
		if err = werr; op == '*' {
			v *= w
		} else {
			v /= w
		}
		ok = ok && wok
	}
	return v, ok, err
}

func (p *mathParser) operand() (float64, bool, error) {
	p.skip()
	if p.i >= len(p.s) {
		return 0, false, fmt.Errorf("metric math %q: unexpected end", p.s)
	}
	if p.s[p.i] == '(' {
		p.i++
		v, ok, err := p.sum()
		p.skip()
		if err == nil && (p.i >= len(p.s) || p.s[p.i] != ')') {
			err = fmt.Errorf("metric math %q: missing )", p.s)
		}
		p.i++
		return v, ok, err
	}
	j := p.i
	for j < len(p.s) && (isIdent(p.s[j]) || p.s[j] == '.') {
		j++
	}
	tok := p.s[p.i:j]
	p.i = j
	if tok == "" {
		return 0, false, fmt.Errorf("metric math %q: unexpected %q", p.s, p.s[p.i:])
	}
	if f, err := strconv.ParseFloat(tok, 64); err == nil {
		return f, true, nil
	}
	p.skip()
	if tok == "FILL" && p.i < len(p.s) && p.s[p.i] == '(' {
		p.i++
		p.skip()
		k := p.i
		for k < len(p.s) && isIdent(p.s[k]) {
			k++
		}
		id := p.s[p.i:k]
		p.i = k
		p.skip()
		if p.i >= len(p.s) || p.s[p.i] != ',' {
			return 0, false, fmt.Errorf("metric math %q: FILL(id, value) expected", p.s)
		}
		p.i++
		fill, _, err := p.operand()
		p.skip()
		if err == nil && (p.i >= len(p.s) || p.s[p.i] != ')') {
			err = fmt.Errorf("metric math %q: missing ) of FILL", p.s)
		}
		p.i++
		if v, ok := p.at(id); ok {
			return v, true, err
		}
		return fill, true, err
	}
	v, ok := p.at(tok)
	return v, ok, nil
}

func isIdent(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// EvaluateAlarm evaluates the stored alarm name over the stored datums (see
// the package function), records the new state and returns it.
func (s *CloudWatch) EvaluateAlarm(name string, end time.Time) (types.StateValue, string, error) {
	s.mu.Lock()
	a, ok := s.alarms[name]
	s.mu.Unlock()
	if !ok {
		return "", "", fmt.Errorf("alarm %s does not exist", name)
	}
	state, reason, err := EvaluateAlarm(a, s.Datums(), end, a.StateValue)
	if err != nil {
		return "", "", err
	}
	s.mu.Lock()
	a.StateValue, a.StateReason = state, aws.String(reason)
	s.alarms[name] = a
	s.mu.Unlock()
	return state, reason, nil
}
