package promqlnames

import (
	"slices"
	"testing"
)

func TestMetricNames(t *testing.T) {
	tests := []struct {
		name, expr string
		want       []string
	}{
		{"bare", `up`, []string{"up"}},
		{"selector with matchers", `probe_success{job="x",kind="stun"} == 0`, []string{"probe_success"}},
		{"matcher values that look like metrics", `a{code=~"5..",reason!="up", job=~"a|b{c}"} / ignoring(code) group_left b`, []string{"a", "b"}},
		{"aggregation by before argument", `sum by (job, le) (rate(a_bucket{job="v"}[5m]))`, []string{"a_bucket"}},
		{"aggregation by after argument", `sum(rate(a_total[5m])) by (provider) / sum(b_total) without (x)`, []string{"a_total", "b_total"}},
		{"recording rule names and numbers", `x:y:ratio_rate5m > (14.4 * 0.01) and on(job) z > 1e-3`, []string{"x:y:ratio_rate5m", "z"}},
		{"function names are not metrics", `absent(up{job="voice"}) or histogram_quantile(0.95, c)`, []string{"c", "up"}},
		{"offset and bool", `d offset 5m > bool 0`, []string{"d"}},
		{"strings skipped", `label_replace(m, "dst", "$1", "src", "(.*)")`, []string{"m"}},
		{"keywords", `a / on (instance) group_left (version) b or vector(0) unless c offset 5m`, []string{"a", "b", "c"}},
		{"duplicates once", `m + m`, []string{"m"}},
		{"subquery", `max_over_time(rate(m[1m])[10m:1m])`, []string{"m"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MetricNames(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("MetricNames(%q) = %q, want %q", tt.expr, got, tt.want)
			}
		})
	}
	t.Run("invalid PromQL is an error", func(t *testing.T) {
		if _, err := MetricNames(`sum(rate(m[5m])`); err == nil {
			t.Error("no error for an unbalanced expression")
		}
	})
}
