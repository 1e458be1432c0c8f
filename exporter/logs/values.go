package logs

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ValueCapture turns a named group of a rule's regular expression into a
// Prometheus histogram or gauge: the value logged on the line (the bot's
// "ICE gathering took 6.3s") becomes a series that can be graphed and
// alerted on from logs alone.
type ValueCapture struct {
	// Group is the named group holding the number. Required.
	Group string `yaml:"group"`
	// Metric is the Prometheus metric name; it must end in the base unit of
	// Unit (_seconds for seconds, milliseconds and microseconds, _bytes
	// for bytes, _ratio for ratio). Required.
	Metric string `yaml:"metric"`
	// Type is histogram (default) or gauge (the last value seen).
	Type string `yaml:"type"`
	// Unit is the unit the log writes the number in: seconds,
	// milliseconds, microseconds, bytes, ratio, percent or count. Values
	// are converted to the base unit (seconds, bytes, ratio). Required.
	Unit string `yaml:"unit"`
	// Buckets are the histogram's upper bounds in the base unit. Default:
	// 0.1 to 30 s for durations, powers of 4 from 1 KiB for bytes, tenths
	// for ratios, powers of 2 for counts.
	Buckets []float64 `yaml:"buckets"`
	// Help is the metric's help text. Default: "<group> captured by rule
	// <rule> of rule set <set>".
	Help string `yaml:"help"`

	scale float64 // multiplier to the base unit
	index int     // the group's index in the regex
}

// CapturedValue is one number taken from a line, in its base unit.
type CapturedValue struct {
	Def   *ValueCapture
	Value float64
}

var metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)

// units maps a unit to its scale to the base unit and the metric suffix.
var units = map[string]struct {
	scale  float64
	suffix string
}{
	"seconds": {1, "_seconds"}, "milliseconds": {1e-3, "_seconds"}, "microseconds": {1e-6, "_seconds"},
	"bytes": {1, "_bytes"}, "ratio": {1, "_ratio"}, "percent": {0.01, "_ratio"}, "count": {1, ""},
}

func (v *ValueCapture) compile(re *regexp.Regexp, rule, set string) error {
	if v.Group == "" || re.SubexpIndex(v.Group) < 0 {
		return fmt.Errorf("values: group %q is not a named group of the regex", v.Group)
	}
	v.index = re.SubexpIndex(v.Group)
	u, ok := units[v.Unit]
	if !ok {
		return fmt.Errorf("values: unit %q is not one of seconds, milliseconds, microseconds, bytes, ratio, percent, count", v.Unit)
	}
	v.scale = u.scale
	if !metricName.MatchString(v.Metric) || !strings.HasSuffix(v.Metric, u.suffix) || strings.HasSuffix(v.Metric, "_total") {
		return fmt.Errorf("values: metric %q must be a Prometheus name ending in %q (the base unit of %s), not _total", v.Metric, u.suffix, v.Unit)
	}
	switch v.Type {
	case "":
		v.Type = "histogram"
	case "histogram", "gauge":
	default:
		return fmt.Errorf("values: type %q is not histogram or gauge", v.Type)
	}
	if len(v.Buckets) > 0 && (v.Type != "histogram" || !slices.IsSorted(v.Buckets)) {
		return errors.New("values: buckets must be increasing, and only histograms have them")
	}
	if len(v.Buckets) == 0 && v.Type == "histogram" {
		switch u.suffix {
		case "_seconds":
			v.Buckets = []float64{0.1, 0.25, 0.5, 1, 2, 3, 5, 7, 10, 15, 30}
		case "_bytes":
			v.Buckets = []float64{1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20}
		case "_ratio":
			v.Buckets = []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}
		default:
			v.Buckets = []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}
		}
	}
	if v.Help == "" {
		v.Help = fmt.Sprintf("%s captured from log lines by rule %s of rule set %s.", v.Group, rule, set)
	}
	return nil
}

// capture parses the group of m in line; ok is false when the group did
// not participate or is not a number.
func (v *ValueCapture) capture(line []byte, m []int) (float64, bool) {
	if 2*v.index+1 >= len(m) || m[2*v.index] < 0 {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(line[m[2*v.index]:m[2*v.index+1]]), 64)
	if err != nil {
		return 0, false
	}
	return f * v.scale, true
}

// ValueCaptures returns the value captures of every rule of rs.
func (rs *RuleSet) ValueCaptures() []*ValueCapture {
	var out []*ValueCapture
	for i := range rs.Rules {
		for j := range rs.Rules[i].Values {
			out = append(out, &rs.Rules[i].Values[j])
		}
	}
	return out
}

// ValueCapturesOf returns the value captures a parser can produce: those of
// a rule set, of the shipped rule sets for auto, none otherwise.
func ValueCapturesOf(p Parser) []*ValueCapture {
	switch t := p.(type) {
	case *RuleSet:
		return t.ValueCaptures()
	case *AutoParser:
		var out []*ValueCapture
		for _, rs := range t.rules {
			out = append(out, rs.ValueCaptures()...)
		}
		return out
	}
	return nil
}
