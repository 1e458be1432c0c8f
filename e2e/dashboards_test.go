package e2e

import (
	"strings"
	"testing"

	"github.com/voicewatch/voicewatch/dashboards"
	"github.com/voicewatch/voicewatch/dashboards/dashtest"
)

// exercisedPanels are the panels (dashboard UID/panel title) the stack
// feeds with data by the time the dashboards are checked: calls from
// Chromium and the WebRTC probe, the four probes, the sidecar's scrape and
// CloudWatch export. Panels of faults not injected yet (ICE restarts,
// gathering timeouts, scanner traffic, provider errors, drops) may be
// empty; their queries must still evaluate.
var exercisedPanels = []string{
	"Connection success", "Session completion", "ICE gathering p95", "Sessions started vs ended",
	"Connection attempts by result", "Connection setup time", "ICE gathering time", "Candidate types in use",
	"Connection state changes", "TTS time to first byte", "Store writes", "RTP throughput", "Media core up",
}

// dashboardQueries evaluates every panel query of every generated Grafana
// dashboard against the stack's Prometheus: none may error, and the
// exercised panels must return data.
func dashboardQueries(t *testing.T, s *stack) {
	queries := dashtest.Queries(t, dashboards.Config{})
	withData := map[string]bool{}
	var empty []string
	for _, q := range queries {
		expr := dashtest.Expand(q.Expr)
		res, err := s.query(expr)
		if err != nil {
			t.Errorf("%s: %v\n%s", q, err, expr)
			continue
		}
		if len(res) > 0 {
			withData[q.Panel] = true
		} else {
			empty = append(empty, q.String())
		}
	}
	t.Logf("%d dashboard queries evaluated; %d panels with data; empty queries: %s", len(queries), len(withData), strings.Join(empty, ", "))
	for _, p := range exercisedPanels {
		if !withData[p] {
			t.Errorf("panel %q returned no data, but the stack exercises it", p)
		}
	}
}
