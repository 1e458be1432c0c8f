package dashtest_test

import (
	"testing"

	"github.com/voicewatch/voicewatch/dashboards/dashtest"
)

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
