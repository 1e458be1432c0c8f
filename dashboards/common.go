package dashboards

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
	"github.com/grafana/grafana-foundation-sdk/go/units"
)

// This file holds the panel and query factories shared by every dashboard,
// so all of them look and behave alike.

func datasourceRef() common.DataSourceRef {
	return common.DataSourceRef{
		Type: cog.ToPtr("prometheus"),
		Uid:  cog.ToPtr("${" + varDatasource + "}"),
	}
}

// query is a range query with a legend.
func query(expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().Expr(expr).LegendFormat(legend).Range()
}

// instant is an instant query, for stats.
func instant(expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().Expr(expr).LegendFormat(legend).Instant()
}

// tableQuery is an instant query formatted as a table.
func tableQuery(expr string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().Expr(expr).Format(prometheus.PromQueryFormatTable).Instant()
}

func targets(qs []*prometheus.DataqueryBuilder) []cog.Builder[variants.Dataquery] {
	out := make([]cog.Builder[variants.Dataquery], 0, len(qs))
	for i, q := range qs {
		out = append(out, q.RefId(string(rune('A'+i))))
	}
	return out
}

// step is one threshold step; the first step of a config has no value (it
// starts at -Inf).
type step struct {
	value *float64
	color string
}

func base(color string) step          { return step{color: color} }
func at(v float64, color string) step { return step{value: cog.ToPtr(v), color: color} }

func thresholds(steps ...step) *dashboard.ThresholdsConfigBuilder {
	ts := make([]dashboard.Threshold, 0, len(steps))
	for _, s := range steps {
		ts = append(ts, dashboard.Threshold{Value: s.value, Color: s.color})
	}
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(ts)
}

// goodAbove is red below v and green from v: success ratios.
func goodAbove(v float64) *dashboard.ThresholdsConfigBuilder {
	return thresholds(base("red"), at(v, "green"))
}

// badAbove is green below v and red from v: latencies, error counts.
func badAbove(v float64) *dashboard.ThresholdsConfigBuilder {
	return thresholds(base("green"), at(v, "red"))
}

// neutral has no colour change.
func neutral() *dashboard.ThresholdsConfigBuilder {
	return thresholds(base("green"))
}

// graph is a line chart with the dashboards' common look: 8 × 8, thin
// lines without points, a neutral threshold, the legend below. Callers add
// the data source and the queries.
func graph(title, description, unit string) *timeseries.PanelBuilder {
	return timeseries.NewPanelBuilder().
		Title(title).
		Description(description).
		Unit(unit).
		Height(8).
		Span(8).
		LineWidth(1).
		FillOpacity(10).
		ShowPoints(common.VisibilityModeNever).
		Thresholds(neutral()).
		Legend(common.NewVizLegendOptionsBuilder().
			DisplayMode(common.LegendDisplayModeList).
			Placement(common.LegendPlacementBottom).
			ShowLegend(true))
}

// timeSeries is a line chart of Prometheus range queries.
func timeSeries(title, description, unit string, qs ...*prometheus.DataqueryBuilder) *timeseries.PanelBuilder {
	return graph(title, description, unit).
		Datasource(datasourceRef()).
		Targets(targets(qs)).
		Tooltip(common.NewVizTooltipOptionsBuilder().
			Mode(common.TooltipDisplayModeMulti).
			Sort(common.SortOrderDescending))
}

// withThresholdLine draws the thresholds of a time series as a dashed line.
func withThresholdLine(p *timeseries.PanelBuilder, t *dashboard.ThresholdsConfigBuilder) *timeseries.PanelBuilder {
	return p.Thresholds(t).ThresholdsStyle(
		common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeDashed))
}

// ratioSeries is a time series of a ratio between 0 and 1 with a target line.
func ratioSeries(title, description string, target float64, qs ...*prometheus.DataqueryBuilder) *timeseries.PanelBuilder {
	return withThresholdLine(timeSeries(title, description, units.PercentUnit, qs...).Min(0).Max(1), goodAbove(target))
}

// statPanel is a single value, coloured by its thresholds.
func statPanel(title, description, unit string, t *dashboard.ThresholdsConfigBuilder, qs ...*prometheus.DataqueryBuilder) *stat.PanelBuilder {
	return stat.NewPanelBuilder().
		Title(title).
		Description(description).
		Datasource(datasourceRef()).
		Targets(targets(qs)).
		Unit(unit).
		Height(4).
		Span(4).
		Thresholds(t).
		ColorMode(common.BigValueColorModeBackground).
		GraphMode(common.BigValueGraphModeNone).
		ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}))
}

// tablePanel lists the labels of instant query results.
func tablePanel(title, description string, qs ...*prometheus.DataqueryBuilder) *table.PanelBuilder {
	return table.NewPanelBuilder().
		Title(title).
		Description(description).
		Datasource(datasourceRef()).
		Targets(targets(qs)).
		Height(8).
		Span(24)
}

// row starts a section.
func row(title string) *dashboard.RowBuilder { return dashboard.NewRowBuilder(title) }

// percentiles returns p50/p95/p99 queries of a histogram, optionally per label.
func percentiles(histogram func(string, ...string) string, metric string, by ...string) []*prometheus.DataqueryBuilder {
	var qs []*prometheus.DataqueryBuilder
	for _, q := range []float64{0.5, 0.95, 0.99} {
		legend := fmt.Sprintf("p%g", q*100)
		for _, l := range by {
			legend += " {{" + l + "}}"
		}
		qs = append(qs, query(quantile(q, histogram, metric, by...), legend))
	}
	return qs
}
