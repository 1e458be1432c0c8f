package dashtest_test

import (
	"slices"
	"testing"

	"github.com/voicewatch/voicewatch/dashboards/dashtest"
)

func TestMetricNames(t *testing.T) {
	tests := []struct {
		name, expr string
		want       []string
	}{
		{"bare", `up`, []string{"up"}},
		{"matchers skipped", `voice_connections_total{result="connected", job=~"a|b{c}"}`, []string{"voice_connections_total"}},
		{"functions and aggregations skipped", `sum by (outcome) (rate(voice_sessions_ended_total[5m]))`, []string{"voice_sessions_ended_total"}},
		{"histogram", `histogram_quantile(0.95, sum by (le) (rate(x_bucket{a="}"}[$__rate_interval])))`, []string{"x_bucket"}},
		{"binary with keywords", `a / on (instance) group_left (version) b or vector(0) unless c offset 5m`, []string{"a", "b", "c"}},
		{"numbers and variables", `1 - (1 - (m)) / (1 - 0.99) + 1e-3 * $service`, []string{"m"}},
		{"strings skipped", `label_replace(m, "dst", "$1", "src", "(.*)")`, []string{"m"}},
		{"duplicates once", `m + m`, []string{"m"}},
		{"without list", `sum without (instance, job) (m)`, []string{"m"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dashtest.MetricNames(tt.expr); !slices.Equal(got, tt.want) {
				t.Errorf("MetricNames(%q) = %q, want %q", tt.expr, got, tt.want)
			}
		})
	}
}

func TestExpand(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"rate interval", `rate(m[$__rate_interval])`, `rate(m[1m])`},
		{"range", `increase(m[$__range])`, `increase(m[5m])`},
		{"variables", `m{environment=~"$environment", service=~"${service}"}`, `m{environment=~".*", service=~".*"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dashtest.Expand(tt.in); got != tt.want {
				t.Errorf("Expand(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
