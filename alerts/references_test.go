package alerts

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/voicewatch/voicewatch/internal/promqlnames"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// exportedMetrics parses the metric constant files of the packages that
// export metrics and returns every Metric* string constant.
func exportedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	for _, file := range []string{"../voice/voicemetrics/voicemetrics.go", "../exporter/sidecarmetrics/sidecarmetrics.go", "../probes/probemetrics/probemetrics.go"} {
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, id := range vs.Names {
				if strings.HasPrefix(id.Name, "Metric") && i < len(vs.Values) {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						s, _ := strconv.Unquote(lit.Value)
						names[s] = true
					}
				}
			}
			return true
		})
	}
	return names
}

// histograms are the exported histogram families (their _bucket, _sum and
// _count series are valid references).
var histograms = []string{voicemetrics.MetricSessionDuration, voicemetrics.MetricICEGatheringDuration, voicemetrics.MetricConnectionSetup,
	voicemetrics.MetricTTSFirstByte, voicemetrics.MetricResponseLatency}

// TestRulesReferenceExportedMetrics fails when an expression selects a
// metric that no package exports (a renamed metric breaks this test).
func TestRulesReferenceExportedMetrics(t *testing.T) {
	known := exportedMetrics(t)
	if len(known) < 20 {
		t.Fatalf("found only %d metric constants; is the parser reading the right files?", len(known))
	}
	known[metricUp] = true
	for _, h := range histograms {
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			known[h+suffix] = true
		}
	}
	cfg, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	rules := cfg.PrometheusRules()
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				known[r.Record] = true
			}
		}
	}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			name := r.Alert + r.Record
			refs, err := promqlnames.MetricNames(r.Expr)
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			if len(refs) == 0 {
				t.Errorf("%s: no metric found in %q", name, r.Expr)
			}
			for _, m := range refs {
				if !known[m] {
					t.Errorf("%s references %q, which no package exports", name, m)
				}
			}
		}
	}
	defs, err := cfg.CloudWatchDefinitions()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range defs.Alarms {
		for _, q := range append([]MetricQuery{{Namespace: a.Namespace, MetricName: a.MetricName}}, a.Metrics...) {
			if q.Namespace == cfg.CloudWatch.Namespace && !known[q.MetricName] {
				t.Errorf("CloudWatch alarm %s watches %q, which no package exports", a.Name, q.MetricName)
			}
		}
	}
}

// TestEveryAlertIsTestedAndHasARunbook checks that each alert (and each
// severity of it) is expected to fire in some promtool scenario, and that
// its runbook exists.
func TestEveryAlertIsTestedAndHasARunbook(t *testing.T) {
	cfg, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	fired := map[string]bool{}
	for _, k := range alertsIn(scenarios(cfg)) {
		fired[k] = true
	}
	for _, g := range cfg.PrometheusRules().Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			key := r.Alert + "/" + r.Labels[LabelSeverity]
			if !fired[key] {
				t.Errorf("no promtool scenario makes %s fire", key)
			}
			for _, a := range []string{"summary", "description", "runbook_url"} {
				if r.Annotations[a] == "" {
					t.Errorf("%s lacks annotation %s", r.Alert, a)
				}
			}
			if _, err := statRunbook(Runbook(r.Alert)); err != nil {
				t.Errorf("%s: runbook missing: %v", r.Alert, err)
			}
		}
	}
	defs, _ := cfg.CloudWatchDefinitions()
	for _, a := range defs.Alarms {
		i := strings.Index(a.Description, cfg.RunbookBaseURL)
		if i < 0 {
			t.Errorf("alarm %s has no runbook link", a.Name)
			continue
		}
		file, _, _ := strings.Cut(a.Description[i+len(cfg.RunbookBaseURL):], "#")
		if _, err := statRunbook(file); err != nil {
			t.Errorf("alarm %s: runbook missing: %v", a.Name, err)
		}
	}
}

func statRunbook(file string) (string, error) {
	p := "../docs/runbooks/" + file
	_, err := os.Stat(p)
	return p, err
}
