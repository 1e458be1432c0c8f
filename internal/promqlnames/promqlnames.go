// Package promqlnames lists the metric names a PromQL expression selects,
// with Prometheus' own parser: the alert rules and the dashboard queries are
// checked against the metric contract with it.
package promqlnames

import (
	"fmt"
	"slices"

	"github.com/prometheus/prometheus/promql/parser"
)

var promql = parser.NewParser(parser.Options{})

// MetricNames returns the metric names (and recording-rule names) that expr
// selects, sorted and without duplicates. A selector without a name (only
// {__name__=~...} matchers) contributes nothing. expr must be valid PromQL;
// expand Grafana variables first.
func MetricNames(expr string) ([]string, error) {
	e, err := promql.ParseExpr(expr)
	if err != nil {
		return nil, fmt.Errorf("parse %q: %w", expr, err)
	}
	var names []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok && vs.Name != "" {
			names = append(names, vs.Name)
		}
		return nil
	})
	slices.Sort(names)
	return slices.Compact(names), nil
}
