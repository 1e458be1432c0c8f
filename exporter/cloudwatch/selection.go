package cloudwatch

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/voicewatch/voicewatch/exporter/cloudwatch/catalog"
)

// maxDimensionSets bounds the dimension sets of one metric (the record key
// holds the set's index in one byte; a dozen is already a dozen metrics).
const maxDimensionSets = 16

// aggKind is a gauge's catalog.Aggregation, as the converter applies it.
type aggKind uint8

const (
	aggNone aggKind = iota // not declared: series must not collapse
	aggSum
	aggMax
	aggMin
	aggAvg
)

func toAggKind(a catalog.Aggregation) aggKind {
	switch a {
	case catalog.Sum:
		return aggSum
	case catalog.Max:
		return aggMax
	case catalog.Min:
		return aggMin
	case catalog.Average:
		return aggAvg
	}
	return aggNone
}

// plan is how one metric is published, decided once per metric name.
type plan struct {
	publish bool
	sets    [][]string // dimension sets, static dimensions excluded
	agg     aggKind    // for gauges
	unit    types.StandardUnit
	hasUnit bool // unit comes from the catalogue (else from the name)
}

// planFor decides how metric name is published: a catalogue metric with
// its dimension sets, aggregation and unit (overridable); an included one
// with Dimensions.Metrics or Dimensions.Default; anything else not at all.
// Exclude wins over both.
func (c *Config) planFor(name string) plan {
	if matchAny(c.Exclude, name) {
		return plan{}
	}
	p := plan{publish: true}
	if m, ok := catalog.Lookup(name); ok {
		p.sets, p.agg = m.Dimensions, toAggKind(m.Aggregation)
		if m.Unit != catalog.UnitNone {
			p.unit = types.StandardUnit(m.Unit)
		}
		p.hasUnit = true
	} else if matchAny(c.Include, name) {
		p.sets = [][]string{c.Dimensions.Default}
		p.unit = unitFor(name)
	} else {
		return plan{}
	}
	if sets, ok := c.Dimensions.Metrics[name]; ok {
		p.sets = sets
	}
	if a, ok := c.Aggregations[name]; ok {
		p.agg = toAggKind(a)
	}
	return p
}

// Published reports whether metric name goes to CloudWatch under c.
func (c *Config) Published(name string) bool { return c.planFor(name).publish }

// matchAny reports whether name matches one of the globs (path.Match;
// Validate rejects malformed globs).
func matchAny(globs []string, name string) bool {
	for _, g := range globs {
		if ok, _ := path.Match(g, name); ok {
			return true
		}
	}
	return false
}

// validateSelection checks include, exclude, aggregations and the metrics
// named in dimensions.metrics against the catalogue and the known runtime
// metrics.
func (c *Config) validateSelection() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, a...))
	}
	for _, l := range []struct {
		key   string
		globs []string
	}{{"include", c.Include}, {"exclude", c.Exclude}} {
		for i, g := range l.globs {
			if _, err := path.Match(g, ""); err != nil || g == "" {
				return bad("%s[%d] %q is not a metric-name glob (use *, ? and [a-z], e.g. \"process_*\")", l.key, i, g)
			}
		}
	}
	for _, name := range sortedKeys(c.Aggregations) {
		a := c.Aggregations[name]
		if !a.Valid() {
			return bad("aggregations.%s %q: use sum, max, min or average", name, a)
		}
		if m, ok := catalog.Lookup(name); ok && m.Kind != catalog.Gauge {
			return bad("aggregations.%s: %s is a %s; counters and histograms are always summed, only gauges take an aggregation", name, name, m.Kind)
		}
	}
	for _, name := range sortedKeys(c.Dimensions.Metrics) {
		if len(c.Dimensions.Metrics[name]) > maxDimensionSets {
			return bad("dimensions.metrics.%s: %d dimension sets, at most %d", name, len(c.Dimensions.Metrics[name]), maxDimensionSets)
		}
		if !c.Published(name) {
			why := "it is not in the CloudWatch catalogue and no include glob matches it: add it to cloudwatch.include"
			if matchAny(c.Exclude, name) {
				why = "an exclude glob matches it"
			}
			return bad("dimensions.metrics.%s: %s is not published (%s)", name, name, why)
		}
	}
	var missing []string
	for _, name := range catalog.KnownNames() {
		kind, _, _ := catalog.Known(name)
		if kind != catalog.Gauge || !c.Published(name) {
			continue
		}
		if _, ok := c.Aggregations[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return bad("gauge %s is included without an aggregation: set cloudwatch.aggregations.%s to max, min, average or sum "+
			"(two series of a gauge such as process_start_time_seconds must not be added up)%s",
			missing[0], missing[0], andMore(missing[1:]))
	}
	return nil
}

// andMore lists further names that need the same fix.
func andMore(names []string) string {
	if len(names) == 0 {
		return ""
	}
	if len(names) > 5 {
		names = append(names[:5:5], fmt.Sprintf("%d more", len(names)-5))
	}
	return "; the same for " + strings.Join(names, ", ")
}

// CheckContract checks what the catalogue's contract needs beyond Validate:
// the static dimensions are exactly Service and Environment (the alarms and
// the dashboard select every metric by both), and every label named in
// dimensions.metrics exists on its metric. targetLabels are the label
// names the scrape targets add to every series (job, service, ...).
func (c *Config) CheckContract(targetLabels []string) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, a...))
	}
	for _, d := range catalog.StaticDimensions {
		if c.StaticDimensions[d] == "" {
			return bad("static_dimensions: set %s and %s (e.g. {%s: voicewatch, %s: production}); the CloudWatch alarms and dashboard select every metric by both",
				catalog.DimService, catalog.DimEnvironment, catalog.DimService, catalog.DimEnvironment)
		}
	}
	for _, d := range sortedKeys(c.StaticDimensions) {
		if !slices.Contains(catalog.StaticDimensions, d) {
			return bad("static_dimensions: %s is not part of the catalogue's dimension sets (only %s and %s): with it, no alarm or dashboard widget would find its metric",
				d, catalog.DimService, catalog.DimEnvironment)
		}
	}
	for _, name := range sortedKeys(c.Dimensions.Metrics) {
		var labels []string
		if m, ok := catalog.Lookup(name); ok {
			labels = m.Labels
		} else if _, l, ok := catalog.Known(name); ok {
			labels = l
		} else {
			continue // the user's own metric: its labels are not known here
		}
		for _, set := range c.Dimensions.Metrics[name] {
			for _, l := range set {
				if !slices.Contains(labels, l) && !slices.Contains(targetLabels, l) {
					return bad("dimensions.metrics.%s: label %q does not exist: %s has the labels [%s] and the scrape targets add [%s]",
						name, l, name, strings.Join(labels, " "), strings.Join(targetLabels, " "))
				}
			}
		}
	}
	return nil
}

// UnmatchedIncludes returns the include globs that match no metric known
// here: the catalogue, voicewatch's other metrics, the Go runtime and
// process metrics, and the metrics
// named in dimensions.metrics or aggregations (name your own metrics there
// so that a glob for them is checked too).
func (c *Config) UnmatchedIncludes() []string {
	var names []string
	for _, m := range catalog.Metrics() {
		names = append(names, m.Name)
	}
	names = append(names, catalog.KnownNames()...)
	names = append(names, sortedKeys(c.Dimensions.Metrics)...)
	names = append(names, sortedKeys(c.Aggregations)...)
	var out []string
	for _, g := range c.Include {
		if !slices.ContainsFunc(names, func(n string) bool { ok, _ := path.Match(g, n); return ok }) {
			out = append(out, g)
		}
	}
	return out
}
