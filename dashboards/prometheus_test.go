package dashboards_test

import (
	"testing"

	"github.com/voicewatch/voicewatch/dashboards"
	"github.com/voicewatch/voicewatch/dashboards/dashtest"
)

// TestQueriesEvaluateInPrometheus scrapes a media core and a sidecar target
// with the real Prometheus, then evaluates every panel query: each must
// evaluate without error, and since the targets exercise every metric, each
// must return data (an empty result means a wrong label or metric name).
func TestQueriesEvaluateInPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Prometheus")
	}
	labels := map[string]string{"environment": "test", "service": "voicewatch"}
	p := dashtest.StartPrometheus(t,
		dashtest.Target{Job: "voice", Addr: voiceTarget(t), Labels: labels},
		dashtest.Target{Job: "voicewatch-sidecar", Addr: sidecarTarget(t), Labels: labels},
	)
	p.WaitScraped(t, 3)

	queries := dashtest.Queries(t, dashboards.Config{})
	for _, r := range dashtest.EvalAll(t, p, queries) {
		if r.Samples == nil {
			continue // the error is already reported
		}
		if len(r.Samples) == 0 {
			t.Errorf("%s returned no data: %s", r.Query, r.Expr)
		}
	}
}
