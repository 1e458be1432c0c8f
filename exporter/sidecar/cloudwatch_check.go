package sidecar

import (
	"fmt"
	"io"
	"strings"

	"github.com/voicewatch/voicewatch/exporter/cloudwatch"
	"github.com/voicewatch/voicewatch/exporter/cloudwatch/catalog"
)

// CheckCloudWatch is the CloudWatch part of `agent sidecar --check-config`:
// it writes how many CloudWatch metrics the configuration publishes and
// what they cost per month (and, in mode api, the PutMetricData requests),
// and returns an error for an include glob that matches no known metric.
// It makes no network call. Without a cloudwatch section it writes
// nothing.
func (c *Config) CheckCloudWatch(w io.Writer) error {
	cw := c.CloudWatch
	if cw == nil {
		return nil
	}
	if bad := cw.UnmatchedIncludes(); len(bad) > 0 {
		return fmt.Errorf("%w: cloudwatch.include %s matches no metric: not in the CloudWatch catalogue, not a voicewatch, Go runtime or process metric, "+
			"and not named in cloudwatch.dimensions.metrics or cloudwatch.aggregations (name your own metrics there)", ErrInvalidConfig, strings.Join(quoteAll(bad), ", "))
	}
	specs, err := c.buildSpecs(defaultProbeEnv())
	if err != nil {
		return err
	}
	in := cloudwatch.EstimateInput{Probes: map[string][]string{}, ExportInterval: c.ExportInterval}
	for _, s := range specs {
		in.Probes[s.Kind] = append(in.Probes[s.Kind], s.Name)
	}
	if err := cw.Estimate(in).Write(w); err != nil {
		return err
	}
	for _, m := range catalog.Metrics() {
		if m.Period != 0 && cw.Published(m.Name) && int(c.ExportInterval.Seconds()) != m.Period {
			if _, err := fmt.Fprintf(w, "  note: %s is read with %s over %d s, which adds one datapoint per sidecar only at export_interval: %ds (this configuration: %s)\n",
				m.Name, m.Statistic, m.Period, m.Period, c.ExportInterval); err != nil {
				return err
			}
		}
	}
	return nil
}

func quoteAll(l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
