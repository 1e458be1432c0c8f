package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/units"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
)

// This file is the "Probes" dashboard: synthetic STUN, TURN, WebRTC and HTTP
// checks run by the sidecar or by `probe` in CI.

func (g *Generator) probes(b *dashboard.DashboardBuilder) *dashboard.DashboardBuilder {
	s := sel{g.cfg}
	byTarget := []string{probemetrics.LabelProbe, probemetrics.LabelKind, probemetrics.LabelTarget}
	success := s.probe(probemetrics.MetricProbeSuccess)
	failure := s.probe(probemetrics.MetricProbeFailureInfo)

	return b.WithRow(row("Status")).
		WithPanel(statPanel("Failing probes", "Probes whose last run failed.", units.Short, badAbove(1),
			instant("count("+success+" == 0) or vector(0)", "failing")).Span(4)).
		WithPanel(statPanel("Probe success", "Last result per probe and target: 1 passed, 0 failed.", units.Short, goodAbove(1),
			instant(minBy(byTarget, success), "{{probe}} ({{kind}}) {{target}}")).Span(20)).
		WithRow(row("Results over time")).
		WithPanel(timeSeries("Success per probe and target", "1 when the probe passed, 0 when it failed.", units.Short,
			query(minBy(byTarget, success), "{{probe}} {{target}}")).Min(0).Max(1).Span(12)).
		WithPanel(timeSeries("Probe duration", "Wall time of each probe.", units.Seconds,
			query(maxBy(byTarget, s.probe(probemetrics.MetricProbeDuration)), "{{probe}} {{target}}")).Span(12)).
		WithPanel(timeSeries("Phase durations", "Time spent in each phase (DNS, binding, allocate, ICE gathering, DTLS, first audio, ...).", units.Seconds,
			query(maxBy([]string{probemetrics.LabelProbe, probemetrics.LabelPhase}, s.probe(probemetrics.MetricProbePhaseDuration)), "{{probe}} {{phase}}")).Span(24)).
		WithRow(row("Failures")).
		WithPanel(timeSeries("Failure reasons", "Failing probes by reason. Each reason names what to check: see docs/runbooks.", units.Short,
			query("count by (reason) ("+failure+")", "{{reason}}")).Span(24)).
		WithPanel(tablePanel("Last failure details", "Every probe, target, phase and reason that failed in the dashboard range.",
			tableQuery("max by (probe, kind, target, phase, reason) (last_over_time("+failure+"["+macroRange+"]))")))
}

func minBy(by []string, v string) string { return aggBy("min", by, v) }
func maxBy(by []string, v string) string { return aggBy("max", by, v) }
