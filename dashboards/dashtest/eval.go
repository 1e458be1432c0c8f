package dashtest

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/dashboards"
)

// Values that Expand substitutes for Grafana macros when a query is
// evaluated outside Grafana.
var macros = map[string]string{
	"$__rate_interval": "1m",
	"$__interval":      "15s",
	"$__range":         "5m",
}

var variable = regexp.MustCompile(`\$\{?([a-zA-Z_][a-zA-Z0-9_]*)\}?`)

// Expand replaces Grafana macros ($__rate_interval, $__interval, $__range)
// with fixed durations and every template variable ($environment,
// ${service}, ...) with ".*", the dashboards' "All" value.
func Expand(expr string) string {
	for k, v := range macros {
		expr = strings.ReplaceAll(expr, k, v)
	}
	return variable.ReplaceAllString(expr, ".*")
}

// Result is the outcome of one evaluated panel query.
type Result struct {
	Query   dashboards.PanelQuery
	Expr    string // the expanded expression that was evaluated
	Samples []Sample
}

// EvalAll evaluates every query (after Expand) as an instant query against
// p. Each query that errors fails the test, in a subtest named after the
// panel. It returns the results, in order, for assertions about data.
func EvalAll(t *testing.T, p *Prometheus, queries []dashboards.PanelQuery) []Result {
	t.Helper()
	out := make([]Result, 0, len(queries))
	for _, q := range queries {
		res := Result{Query: q, Expr: Expand(q.Expr)}
		t.Run(q.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			samples, err := p.Query(ctx, res.Expr)
			if err != nil {
				t.Errorf("query %q: %v", res.Expr, err)
				return
			}
			res.Samples = samples
		})
		out = append(out, res)
	}
	return out
}
