package dashboards

import (
	"fmt"
	"strconv"
	"strings"
)

// Grafana variables and macros used in queries.
const (
	varDatasource   = "datasource"
	varEnvironment  = "environment"
	varService      = "service"
	macroRateWindow = "$__rate_interval"
	macroRange      = "$__range"
)

// sel builds the PromQL selectors of one Config. Metric names always come from
// the constants of the voice, probes and exporter packages.
type sel struct{ cfg Config }

// common returns the matchers every query carries: environment and service.
func (s sel) common() []string {
	return []string{
		fmt.Sprintf(`%s=~"$%s"`, s.cfg.EnvironmentLabel, varEnvironment),
		fmt.Sprintf(`%s=~"$%s"`, s.cfg.ServiceLabel, varService),
	}
}

func vector(metric string, matchers []string, extra ...string) string {
	return metric + "{" + strings.Join(append(matchers, extra...), ", ") + "}"
}

// voice selects a media core series: job=~VoiceJob plus the common matchers.
func (s sel) voice(metric string, extra ...string) string {
	return vector(metric, append([]string{fmt.Sprintf(`job=~"%s"`, s.cfg.VoiceJob)}, s.common()...), extra...)
}

// sidecar selects a sidecar series.
func (s sel) sidecar(metric string, extra ...string) string {
	return vector(metric, append([]string{fmt.Sprintf(`job=~"%s"`, s.cfg.SidecarJob)}, s.common()...), extra...)
}

// probe selects a probe result series, whichever job scrapes it.
func (s sel) probe(metric string, extra ...string) string {
	return vector(metric, s.common(), extra...)
}

// eq and ne are label matchers.
func eq(label, value string) string { return fmt.Sprintf(`%s=%q`, label, value) }
func ne(label, value string) string { return fmt.Sprintf(`%s!=%q`, label, value) }

// rate is sum by (labels) (rate(v[$__rate_interval])).
func rate(v string, by ...string) string {
	return sumBy(by, fmt.Sprintf("rate(%s[%s])", v, macroRateWindow))
}

// increase is sum by (labels) (increase(v[window])).
func increase(v, window string, by ...string) string {
	return sumBy(by, fmt.Sprintf("increase(%s[%s])", v, window))
}

func sumBy(by []string, expr string) string {
	if len(by) == 0 {
		return "sum(" + expr + ")"
	}
	return fmt.Sprintf("sum by (%s) (%s)", strings.Join(by, ", "), expr)
}

// quantile is histogram_quantile over the _bucket series of a histogram.
func quantile(q float64, histogram func(string, ...string) string, metric string, by ...string) string {
	return fmt.Sprintf("histogram_quantile(%s, %s)", num(q),
		rate(histogram(metric+"_bucket"), append(by, "le")...))
}

// ratio divides two expressions.
func ratio(num, den string) string { return "(" + num + ") / (" + den + ")" }

// budgetRemaining is the share of the error budget left for an SLO, given
// the success ratio expression: 1 - (1 - success) / (1 - objective).
func budgetRemaining(success string, objective float64) string {
	return fmt.Sprintf("1 - (1 - (%s)) / (1 - %s)", success, num(objective))
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func aggBy(op string, by []string, v string) string {
	return op + " by (" + strings.Join(by, ", ") + ") (" + v + ")"
}

// jobs selects a series of either the media core or the sidecar.
func (s sel) jobs(metric string, extra ...string) string {
	return vector(metric, append([]string{fmt.Sprintf(`job=~"%s|%s"`, s.cfg.VoiceJob, s.cfg.SidecarJob)}, s.common()...), extra...)
}
