package dashboards_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/voicewatch/voicewatch/dashboards"
	"github.com/voicewatch/voicewatch/dashboards/dashtest"
	"github.com/voicewatch/voicewatch/internal/promqlnames"
)

// metricConstants reads the Metric* string constants declared in the given
// leaf name packages (dir/<base>/<base>.go), so the check follows the code
// without a hand-kept list.
func metricConstants(t *testing.T, dirs ...string) map[string]bool {
	t.Helper()
	known := map[string]bool{}
	for _, dir := range dirs {
		path := filepath.Join("..", dir, filepath.Base(dir)+".go")
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", path, err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, name := range vs.Names {
				if !strings.HasPrefix(name.Name, "Metric") || i >= len(vs.Values) {
					continue
				}
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					v, _ := strconv.Unquote(lit.Value)
					known[v] = true
				}
			}
			return true
		})
		if len(known) == 0 {
			t.Fatalf("no Metric* constants found in %s", path)
		}
	}
	for _, m := range dashboards.StandardMetrics {
		known[m] = true
	}
	return known
}

// TestQueriesUseKnownMetrics checks that every metric a panel selects is
// declared as a constant by voice, probes or exporter (histogram series by
// their base name), and that every query honours $environment and $service.
func TestQueriesUseKnownMetrics(t *testing.T) {
	known := metricConstants(t, "voice/voicemetrics", "probes/probemetrics", "exporter/sidecarmetrics")
	queries := dashtest.Queries(t, dashboards.Config{})
	if len(queries) < 40 {
		t.Fatalf("only %d queries: a dashboard lost its panels", len(queries))
	}
	for _, q := range queries {
		t.Run(q.String(), func(t *testing.T) {
			names, err := promqlnames.MetricNames(dashtest.Expand(q.Expr))
			if err != nil {
				t.Fatal(err)
			}
			if len(names) == 0 {
				t.Errorf("selects no metric: %s", q.Expr)
			}
			for _, n := range names {
				base := n
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					if b, ok := strings.CutSuffix(n, suffix); ok && known[b] {
						base = b
					}
				}
				if !known[base] {
					t.Errorf("metric %q is not a declared constant: %s", n, q.Expr)
				}
			}
			sels := strings.Count(q.Expr, "{")
			if strings.Count(q.Expr, `=~"$environment"`) != sels || strings.Count(q.Expr, `=~"$service"`) != sels {
				t.Errorf("a selector ignores $environment or $service: %s", q.Expr)
			}
		})
	}
}
