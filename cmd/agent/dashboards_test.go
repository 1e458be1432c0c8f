//go:build !sidecaronly

package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/dashboards"
	"github.com/voicewatch/voicewatch/dashboards/dashtest"
	"github.com/voicewatch/voicewatch/exporter/sidecarmetrics"
	"github.com/voicewatch/voicewatch/internal/promqlnames"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// TestDemoDashboards runs the demo, lets a real Prometheus scrape its media
// core and sidecar, and evaluates every panel query of every dashboard:
// none may error, and every panel whose metrics the demo produces must
// return data.
func TestDemoDashboards(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo and Prometheus")
	}
	d := startDemo(t, "--call-interval", "300ms", "--calls", "6")
	voiceAddr := d.waitOutput(`metrics\s+http://(127\.0\.0\.1:\d+)/metrics`, 20*time.Second)
	sidecarAddr := strings.TrimPrefix(d.sidecar, "http://")
	d.waitOutput(`(call 6) `, 20*time.Second) // every synthetic call placed

	prom := dashtest.StartPrometheus(t,
		dashtest.Target{Job: "voice", Addr: voiceAddr},
		dashtest.Target{Job: "voicewatch-sidecar", Addr: sidecarAddr})
	prom.WaitScraped(t, 3)

	gen, err := dashboards.New(dashboards.Config{})
	if err != nil {
		t.Fatal(err)
	}
	queries, err := gen.Queries()
	if err != nil {
		t.Fatal(err)
	}
	// What the demo must exercise, so "panels with data" cannot pass vacuously.
	// Wait for each (the probes' first results and the calls' series reach
	// Prometheus on its own scrape schedule), not a fixed time.
	for _, m := range []string{voicemetrics.MetricSessionsStarted, voicemetrics.MetricConnections, voicemetrics.MetricICEGatheringDuration + "_bucket",
		voicemetrics.MetricICESelectedPairs, voicemetrics.MetricResponseLatency + "_bucket", probemetrics.MetricProbeSuccess, sidecarmetrics.MetricScrapeUp} {
		if !waitPresent(t, prom, m, time.Minute) {
			t.Errorf("the demo produced no %s within a minute", m)
		}
	}
	results := dashtest.EvalAll(t, prom, queries)
	var withData, exercised int
	for _, r := range results {
		names, err := promqlnames.MetricNames(r.Expr)
		if err != nil {
			t.Errorf("%s: %v", r.Query, err)
		}
		all := len(names) > 0
		for _, n := range names {
			if !present(t, prom, n) {
				all = false
				break
			}
		}
		if !all {
			continue
		}
		exercised++
		if len(r.Samples) > 0 || eventuallyHasData(prom, r.Expr, 30*time.Second) {
			withData++
			continue
		}
		t.Errorf("%s: its metrics exist but the query returns no data: %s", r.Query, r.Expr)
	}
	t.Logf("%d panel queries evaluated; %d use only metrics the demo produces, %d of them returned data", len(results), exercised, withData)
	if exercised < len(results)/2 {
		t.Errorf("only %d of %d queries are exercised by the demo", exercised, len(results))
	}
}

var presentCache = map[string]bool{}

// eventuallyHasData re-evaluates expr until it returns a sample or d has
// passed: a rate() over a series that appeared one scrape ago needs one
// more scrape before it has data.
func eventuallyHasData(p *dashtest.Prometheus, expr string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		res, err := p.Query(ctx, expr)
		cancel()
		if err == nil && len(res) > 0 {
			return true
		}
		time.Sleep(500 * time.Millisecond)
	}
	return false
}

// waitPresent polls Prometheus until metric has a series or d has passed.
func waitPresent(t *testing.T, p *dashtest.Prometheus, metric string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		delete(presentCache, metric)
		if present(t, p, metric) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func present(t *testing.T, p *dashtest.Prometheus, metric string) bool {
	if v, ok := presentCache[metric]; ok {
		return v
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := p.Query(ctx, `count({__name__="`+strings.ReplaceAll(metric, `"`, ``)+`"})`)
	ok := err == nil && len(res) > 0
	presentCache[metric] = ok
	return ok
}
