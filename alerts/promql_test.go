package alerts

import (
	"reflect"
	"testing"
)

func TestMetricNames(t *testing.T) {
	tests := []struct {
		name, expr string
		want       []string
	}{
		{"selector with matchers", `probe_success{job="x",kind="stun"} == 0`, []string{"probe_success"}},
		{"aggregation by before argument", `sum by (job, le) (rate(a_bucket{job="v"}[5m]))`, []string{"a_bucket"}},
		{"aggregation by after argument", `sum(rate(a_total[5m])) by (provider) / sum(b_total) without (x)`, []string{"a_total", "b_total"}},
		{"recording rule names and numbers", `x:y:ratio_rate5m > (14.4 * 0.01) and on(job) z > 1e-3`, []string{"x:y:ratio_rate5m", "z"}},
		{"matcher values that look like metrics", `a{code=~"5..",reason!="up"} / ignoring(code) group_left b`, []string{"a", "b"}},
		{"function names are not metrics", `absent(up{job="voice"}) or histogram_quantile(0.95, c)`, []string{"c", "up"}},
		{"offset and bool", `d offset 5m > bool 0`, []string{"d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MetricNames(tt.expr); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("MetricNames(%q) = %v, want %v", tt.expr, got, tt.want)
			}
		})
	}
}
