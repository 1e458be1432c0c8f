package logs

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestValueCaptures(t *testing.T) {
	rs, err := LoadRuleSet("t.yaml", strings.NewReader(`
name: t
rules:
  - name: tts
    regex: 'TTS first byte after (?P<ms>\d+)ms, (?P<kb>\d+) KiB'
    emit: info
    values:
      - {group: ms, metric: bot_tts_first_byte_seconds, unit: milliseconds}
      - {group: kb, metric: bot_tts_bytes, unit: count, type: gauge}
`))
	if err != nil {
		t.Fatal(err)
	}
	var e Entry
	if err := rs.Parse([]byte("TTS first byte after 350ms, 12 KiB"), &e); err != nil {
		t.Fatal(err)
	}
	if len(e.Values) != 2 || math.Abs(e.Values[0].Value-0.35) > 1e-12 || e.Values[0].Def.Type != "histogram" || e.Values[1].Value != 12 {
		t.Fatalf("values %+v", e.Values)
	}
	m := NewMetrics(MetricsConfig{Values: rs.ValueCaptures()})
	e.Class = ClassLegitimate
	m.Observe(&e)
	if h := m.histograms["bot_tts_first_byte_seconds"]; h == nil {
		t.Fatal("no histogram")
	}
}

func TestValueCaptureErrors(t *testing.T) {
	for _, tt := range []struct{ values, want string }{
		{`{group: nope, metric: x_seconds, unit: seconds}`, `group "nope" is not a named group`},
		{`{group: s, metric: x_seconds, unit: hours}`, `unit "hours" is not one of`},
		{`{group: s, metric: x_ms, unit: milliseconds}`, `must be a Prometheus name ending in "_seconds"`},
		{`{group: s, metric: x_seconds, unit: seconds, type: summary}`, `type "summary" is not histogram or gauge`},
		{`{group: s, metric: x_seconds, unit: seconds, buckets: [3, 1]}`, `buckets must be increasing`},
	} {
		_, err := LoadRuleSet("t.yaml", strings.NewReader("name: t\nrules:\n  - name: r\n    regex: 'took (?P<s>[0-9.]+)'\n    emit: info\n    values:\n      - "+tt.values+"\n"))
		if !errors.Is(err, ErrInvalidRuleSet) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.values, err, tt.want)
		}
	}
	a := &ValueCapture{Metric: "x_seconds", Type: "histogram", scale: 1, Buckets: []float64{1}}
	b := &ValueCapture{Metric: "x_seconds", Type: "gauge", scale: 1}
	if err := CheckValueCaptures([]*ValueCapture{a, b}); !errors.Is(err, ErrInvalidRuleSet) {
		t.Errorf("conflicting captures: %v", err)
	}
}
