package slo_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/voicewatch/voicewatch/alerts"
	"github.com/voicewatch/voicewatch/dashboards"
	"github.com/voicewatch/voicewatch/dashboards/dashtest"
	"github.com/voicewatch/voicewatch/exporter/cloudwatch"
	"github.com/voicewatch/voicewatch/internal/slo"
)

// TestObjectivesMoveRulesAndDashboards loads one YAML file with both
// loaders, as an operator keeps one SLO block for both, and checks that
// the Prometheus burn-rate and ICE gathering rules and the Grafana
// overview's objective thresholds and error budgets follow it: a changed
// objective moves both, the defaults are the same on both sides.
func TestObjectivesMoveRulesAndDashboards(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		yaml                   string
		conn, completion, iceS float64
		job                    string
	}{
		{"defaults", "", slo.DefaultConnectionObjective, slo.DefaultCompletionObjective, slo.DefaultICEGatheringP95.Seconds(), slo.DefaultVoiceJob},
		{"changed", "voice_job: bot\nconnection_objective: 0.995\ncompletion_objective: 0.95\nice_gathering_p95: 2s\n", 0.995, 0.95, 2, "bot"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acfg, dcfg := loadBoth(t, tc.yaml)

			rules := rulesByAlert(acfg.PrometheusRules())
			for alert, objective := range map[string]float64{alerts.AlertConnectionBudgetBurn: tc.conn, alerts.AlertCompletionBudgetBurn: tc.completion} {
				budgets := burnBudget.FindAllStringSubmatch(rules[alert], -1)
				if len(budgets) == 0 {
					t.Fatalf("%s: no burn-rate threshold in %q", alert, rules[alert])
				}
				for _, b := range budgets {
					if got := parse(t, b[1]); !near(got, 1-objective) {
						t.Errorf("%s: error budget %v, want 1 - %v", alert, got, objective)
					}
				}
			}
			if m := iceThreshold.FindStringSubmatch(rules[alerts.AlertICEGatheringSlow]); m == nil || !near(parse(t, m[1]), tc.iceS) {
				t.Errorf("%s: %q, want a threshold of %vs", alerts.AlertICEGatheringSlow, rules[alerts.AlertICEGatheringSlow], tc.iceS)
			}
			if !strings.Contains(rules[alerts.AlertICEGatheringSlow], `job="`+tc.job+`"`) {
				t.Errorf("%s does not select job %q: %q", alerts.AlertICEGatheringSlow, tc.job, rules[alerts.AlertICEGatheringSlow])
			}

			ps := dashtest.Panels(t, dcfg, "voicewatch-overview")
			wantStep(t, ps, "Connection success", tc.conn, "green")
			wantStep(t, ps, "Session completion", tc.completion, "green")
			wantStep(t, ps, "ICE gathering p95", tc.iceS, "red")
			wantStep(t, ps, "ICE gathering time", tc.iceS, "red")
			for panel, objective := range map[string]float64{"Connection error budget left": tc.conn, "Completion error budget left": tc.completion} {
				m := budgetDivisor.FindStringSubmatch(ps[panel].Expr())
				if m == nil || !near(parse(t, m[1]), objective) {
					t.Errorf("%s: %q, want the budget of objective %v", panel, ps[panel].Expr(), objective)
				}
				if !strings.Contains(ps[panel].Expr(), `job=~"`+tc.job+`"`) {
					t.Errorf("%s does not select job %q: %q", panel, tc.job, ps[panel].Expr())
				}
			}
		})
	}
}

// loadBoth loads one config file with the alerts' and the dashboards'
// loaders, as an operator who keeps one file for both.
func loadBoth(t *testing.T, yaml string) (alerts.Config, dashboards.Config) {
	t.Helper()
	acfg, err := alerts.LoadConfig(strings.NewReader(yaml))
	if err != nil {
		t.Fatal(err)
	}
	dcfg, err := dashboards.LoadConfig(strings.NewReader(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return acfg, dcfg
}

var (
	burnBudget    = regexp.MustCompile(`> \([0-9.]+ \* ([0-9.e-]+)\)`)
	iceThreshold  = regexp.MustCompile(`\) > ([0-9.e-]+)$`)
	budgetDivisor = regexp.MustCompile(`/ \(1 - ([0-9.e-]+)\)`)
)

func rulesByAlert(f alerts.RuleFile) map[string]string {
	out := map[string]string{}
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			if r.Alert != "" {
				out[r.Alert] += r.Expr + "\n"
			}
		}
	}
	for k, v := range out {
		out[k] = strings.TrimSuffix(v, "\n")
	}
	return out
}

func wantStep(t *testing.T, ps map[string]dashtest.Panel, title string, v float64, color string) {
	t.Helper()
	p, ok := ps[title]
	if !ok {
		t.Fatalf("no panel %q", title)
	}
	for _, s := range p.Steps() {
		if s.Value != nil && near(*s.Value, v) && s.Color == color {
			return
		}
	}
	t.Errorf("%s: no %s threshold at %v", title, color, v)
}

func parse(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

// TestCloudWatchBlockIsShared: the namespace and static dimensions the
// alarms select by and the ones the CloudWatch dashboard reads are one
// block; the defaults agree with the sidecar exporter's namespace, and a
// file that sets them moves both.
func TestCloudWatchBlockIsShared(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       slo.CloudWatch
	}{
		{"defaults", "", slo.CloudWatch{Namespace: cloudwatch.Config{}.WithDefaults().Namespace, Service: slo.DefaultService, Environment: slo.DefaultEnvironment}},
		{"set", "cloudwatch: {namespace: Voice/Prod, service: bot, environment: eu}\n", slo.CloudWatch{Namespace: "Voice/Prod", Service: "bot", Environment: "eu"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acfg, dcfg := loadBoth(t, tc.yaml)
			if acfg.CloudWatch.CloudWatch != tc.want || dcfg.CloudWatch.CloudWatch != tc.want {
				t.Errorf("alarms select %+v, the dashboard reads %+v; want both %+v", acfg.CloudWatch.CloudWatch, dcfg.CloudWatch.CloudWatch, tc.want)
			}
			if acfg.Runbooks.Region != dcfg.CloudWatch.Region {
				t.Errorf("runbooks region %q, dashboard region %q: one default", acfg.Runbooks.Region, dcfg.CloudWatch.Region)
			}
		})
	}
}

// TestLeaf keeps slo a leaf: alerts and dashboards import it, so it must
// not link anything but the standard library's time.
func TestLeaf(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range parsed.Imports {
			if imp.Path.Value != `"time"` {
				t.Errorf("%s imports %s: slo must stay a leaf", f, imp.Path.Value)
			}
		}
	}
}
