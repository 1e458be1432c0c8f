package cloudwatch

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/voicewatch/voicewatch/exporter/cloudwatch/catalog"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
)

// Public CloudWatch prices (us-east-1, https://aws.amazon.com/cloudwatch/pricing/,
// first tier): a custom metric is billed per month, prorated by the hour it
// receives data; PutMetricData requests are billed per 1000. EMF lines are
// billed as log ingestion, not as requests.
const (
	PricePerMetricMonth  = 0.30
	PricePer1000Requests = 0.01
)

// secondsPerMonth is the 30-day month of the estimate.
const secondsPerMonth = 30 * 24 * 3600

// EstimateInput is what the estimate needs beyond the Config.
type EstimateInput struct {
	// Probes maps a probe kind to the names of the configured probes of that
	// kind (labels probe and kind of the probe metrics).
	Probes map[string][]string
	// ExportInterval is how often the sidecar exports.
	ExportInterval time.Duration
}

// MetricEstimate is one metric at one dimension set.
type MetricEstimate struct {
	Name string
	// Dimensions are the set's label names (static dimensions not listed).
	Dimensions []string
	// Metrics is the number of CloudWatch metrics (distinct value
	// combinations) at most.
	Metrics int
	// Unbounded is set when a label's values are not known here (a metric
	// the user included); Metrics then counts one per set.
	Unbounded bool
}

// Estimate is what a configuration publishes and what it costs.
type Estimate struct {
	Mode      string
	Namespace string
	Sets      []MetricEstimate
	// Metrics is the sum over Sets: an upper bound on the CloudWatch
	// metrics (name × dimension set × values) the sidecar publishes.
	Metrics int
	// MetricsCost is Metrics at PricePerMetricMonth, in USD per month.
	MetricsCost float64
	// Requests is the PutMetricData requests per month (mode api; 0 in
	// mode emf), at one datum per metric per export.
	Requests int64
	// RequestsCost is Requests at PricePer1000Requests, in USD per month.
	RequestsCost float64
	// Unbounded lists included metrics whose value count is not known.
	Unbounded []string
	// NotPublished lists catalogue metrics excluded from publication.
	NotPublished []string
}

// Estimate computes, without any network, the CloudWatch metrics cfg
// publishes and their monthly cost. For catalogue metrics the value count
// of a set is the product of its labels' bounds (probe and kind counted
// from the probe configuration); included metrics outside the catalogue
// count one per set and are listed as unbounded. Included metrics can only
// be named when a glob names them literally or they are known.
func (c *Config) Estimate(in EstimateInput) Estimate {
	e := Estimate{Mode: c.Mode, Namespace: c.Namespace}
	var names []string
	for _, m := range catalog.Metrics() {
		names = append(names, m.Name)
	}
	names = append(names, catalog.KnownNames()...)
	for _, g := range c.Include {
		if !strings.ContainsAny(g, "*?[") {
			names = append(names, g)
		}
	}
	names = append(names, sortedKeys(c.Dimensions.Metrics)...)
	slices.Sort(names)
	names = slices.Compact(names)
	for _, name := range names {
		p := c.planFor(name)
		m, inCatalogue := catalog.Lookup(name)
		if !p.publish {
			if inCatalogue {
				e.NotPublished = append(e.NotPublished, name)
			}
			continue
		}
		for _, set := range p.sets {
			me := MetricEstimate{Name: name, Dimensions: set, Metrics: 1}
			for _, l := range set {
				n, ok := labelBound(m, l, set, in)
				if !ok {
					me.Unbounded = true
					continue
				}
				me.Metrics *= n
			}
			if strings.HasPrefix(name, "probe_") && len(in.Probes) == 0 {
				me.Metrics = 0 // no probe runs: nothing is published
			}
			if me.Unbounded {
				e.Unbounded = append(e.Unbounded, name)
			}
			e.Sets = append(e.Sets, me)
			e.Metrics += me.Metrics
		}
	}
	e.Unbounded = slices.Compact(e.Unbounded)
	e.MetricsCost = float64(e.Metrics) * PricePerMetricMonth
	if c.Mode == ModeAPI && in.ExportInterval > 0 {
		perExport := int64(math.Ceil(float64(e.Metrics) / float64(c.MaxDatumsPerRequest)))
		e.Requests = perExport * int64(secondsPerMonth/in.ExportInterval.Seconds())
		e.RequestsCost = float64(e.Requests) / 1000 * PricePer1000Requests
	}
	return e
}

// labelBound returns how many values label l of metric m takes in set.
func labelBound(m catalog.Metric, l string, set []string, in EstimateInput) (int, bool) {
	switch l {
	case probemetrics.LabelProbe:
		n := 0
		for _, ps := range in.Probes {
			n += len(ps)
		}
		return n, true
	case probemetrics.LabelKind:
		if slices.Contains(set, probemetrics.LabelProbe) {
			return 1, true // a probe has one kind
		}
		return len(in.Probes), true
	}
	n, ok := m.Bounds[l]
	return n, ok
}

// Write renders the estimate for --check-config.
func (e Estimate) Write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "CloudWatch (%s, namespace %s): at most %d metrics (name × dimension set × values), %s per month at $%.2f per metric",
		e.Mode, e.Namespace, e.Metrics, usd(e.MetricsCost), PricePerMetricMonth)
	if e.Mode == ModeAPI {
		fmt.Fprintf(&b, "; %d PutMetricData requests per month, %s at $%.2f per 1000", e.Requests, usd(e.RequestsCost), PricePer1000Requests)
	} else {
		b.WriteString("; EMF lines are billed as CloudWatch Logs ingestion, no PutMetricData requests")
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 2, 8, 2, ' ', 0)
	for _, s := range e.Sets {
		n := fmt.Sprint(s.Metrics)
		if s.Unbounded {
			n = "≥ 1 (values not known)"
		}
		fmt.Fprintf(tw, "  %s\t[%s]\t%s\n", s.Name, strings.Join(append([]string{catalog.DimEnvironment, catalog.DimService}, s.Dimensions...), " "), n)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(e.NotPublished) > 0 {
		fmt.Fprintf(&b, "  excluded from the catalogue: %s\n", strings.Join(e.NotPublished, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func usd(v float64) string { return fmt.Sprintf("$%.2f", v) }
