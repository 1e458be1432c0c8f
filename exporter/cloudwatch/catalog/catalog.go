// Package catalog is the CloudWatch metric catalogue: the one list of what
// the sidecar publishes to CloudWatch, and how. Per metric it says the
// CloudWatch unit, how series whose labels are not dimensions combine
// (Aggregation), the exact dimension sets the metric is published with
// (roll-ups included), and the statistic alarms and dashboard widgets must
// read it with when several sidecars publish the same metric.
//
// CloudWatch matches a metric by namespace, name and the exact set of
// dimensions. Everything that names a metric in CloudWatch derives from
// this package, so nothing can drift into "no data": the sidecar's default
// dimension configuration (exporter/cloudwatch), the CloudWatch alarms
// (alerts) and the CloudWatch dashboard (dashboards). The static dimensions
// Service and Environment are part of every published dimension set.
//
// Like the metric name packages it imports, catalog is a leaf: it imports
// nothing but them, so alerts and dashboards read it without linking the
// exporter or the AWS SDK.
package catalog

import (
	"slices"
	"strings"

	"github.com/voicewatch/voicewatch/exporter/sidecarmetrics"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// Static dimensions: every catalogue metric is published with both, set by
// the sidecar's cloudwatch.static_dimensions; alarms and the dashboard are
// generated for one Service and Environment.
const (
	DimService     = "Service"
	DimEnvironment = "Environment"
)

// StaticDimensions lists the static dimension names in the order CloudWatch
// sorts them (the exporter writes them first, sorted).
var StaticDimensions = []string{DimEnvironment, DimService}

// Kind is what a metric measures, as Prometheus types it.
type Kind string

// Kinds.
const (
	Counter   Kind = "counter"
	Gauge     Kind = "gauge"
	Histogram Kind = "histogram"
)

// Aggregation is how the series of one metric that collapse onto one
// dimension set in one collection combine (their other labels are dropped).
type Aggregation string

// Aggregations. Counters (their deltas) and histograms (their buckets) are
// always summed; a gauge names its own.
const (
	Sum     Aggregation = "sum"
	Max     Aggregation = "max"
	Min     Aggregation = "min"
	Average Aggregation = "average"
)

// Aggregations lists the valid aggregations.
var Aggregations = []Aggregation{Sum, Max, Min, Average}

// Valid reports whether a is one of Aggregations.
func (a Aggregation) Valid() bool { return slices.Contains(Aggregations, a) }

// CloudWatch units used by the catalogue (StandardUnit values).
const (
	UnitCount   = "Count"
	UnitSeconds = "Seconds"
	UnitNone    = "None"
)

// Metric is one catalogue entry.
type Metric struct {
	// Name is the metric name, as exposed and as published.
	Name string
	// Kind is its Prometheus type.
	Kind Kind
	// Unit is the CloudWatch unit of its datums.
	Unit string
	// Aggregation combines the series that collapse onto one dimension set
	// within one sidecar: Sum for counters and histograms.
	Aggregation Aggregation
	// Labels are the labels the metric carries (scrape target labels such
	// as job and service come on top).
	Labels []string
	// Dimensions are the dimension sets it is published with, without the
	// static ones; an empty set is the roll-up to Service and Environment
	// only. Each set becomes its own CloudWatch metric.
	Dimensions [][]string
	// Statistic is what alarms and widgets read it with. Several sidecars
	// (ECS tasks) publish the same metric with the same dimensions, and
	// CloudWatch aggregates all their datapoints of a period: Sum of
	// counter deltas counts every task's events; Minimum of probe_success
	// is 0 as soon as one task's probe failed. For histograms it is the
	// percentile dashboards show.
	Statistic string
	// Period, when not 0, is the only period in seconds at which Statistic
	// gives the documented value: Sum of a gauge adds one datapoint per
	// task only when the period equals the export interval (60 s).
	Period int
	// Bounds caps the distinct values of a label, for the cost estimate.
	// Labels not listed (probe, kind) are counted from the configuration.
	Bounds map[string]int
	// Reads says which alarm or dashboard widget reads the metric (or why
	// it is published at all).
	Reads string
}

// HasLabel reports whether m carries label l.
func (m Metric) HasLabel(l string) bool { return slices.Contains(m.Labels, l) }

// Statistics of the catalogue.
const (
	StatSum     = "Sum"
	StatMinimum = "Minimum"
	StatMaximum = "Maximum"
	StatP95     = "p95"
	StatP10     = "p10"
	StatP50     = "p50"
)

// PatternCount is the number of scanner patterns httpguard classifies
// (label pattern); a test checks it against httpguard.Patterns.
const PatternCount = 16

// Label value bounds.
var (
	outcomes    = map[string]int{voicemetrics.LabelOutcome: 4}
	results3    = map[string]int{voicemetrics.LabelResult: 3}
	providers   = map[string]int{voicemetrics.LabelProvider: 2}
	provReason  = map[string]int{voicemetrics.LabelProvider: 2, voicemetrics.LabelReason: len(voicemetrics.Reasons)}
	pairTypes   = map[string]int{voicemetrics.LabelLocalType: 4, voicemetrics.LabelRemoteType: 4}
	directions  = map[string]int{voicemetrics.LabelDirection: 2}
	probeLabels = []string{probemetrics.LabelProbe, probemetrics.LabelKind, probemetrics.LabelTarget}
	perProbe    = [][]string{{probemetrics.LabelProbe, probemetrics.LabelKind}}
)

// metrics is the catalogue, sorted by name.
var metrics = sortedByName([]Metric{
	{Name: probemetrics.MetricProbeDuration, Kind: Gauge, Unit: UnitSeconds, Aggregation: Max,
		Labels:     []string{probemetrics.LabelProbe, probemetrics.LabelKind, probemetrics.LabelTarget},
		Dimensions: [][]string{{probemetrics.LabelProbe, probemetrics.LabelKind}}, Statistic: StatMaximum,
		Reads: "dashboard: probe duration"},
	{Name: probemetrics.MetricProbeSuccess, Kind: Gauge, Unit: UnitNone, Aggregation: Min,
		Labels: []string{probemetrics.LabelProbe, probemetrics.LabelKind, probemetrics.LabelTarget},
		Dimensions: [][]string{
			{probemetrics.LabelProbe, probemetrics.LabelKind}, // dashboard: one line per probe
			{probemetrics.LabelKind},                          // alarms: ProbeSTUNFailing, ProbeTURNFailing, ProbeWebRTCFailing
			{},                                                // roll-up: every probe passed
		},
		Statistic: StatMinimum, Reads: "alarms Probe*Failing; dashboard: probe success"},
	{Name: voicemetrics.MetricConnectionSetup, Kind: Histogram, Unit: UnitSeconds, Aggregation: Sum,
		Dimensions: [][]string{{}}, Statistic: StatP95, Reads: "dashboard: connection setup time"},
	{Name: voicemetrics.MetricConnections, Kind: Counter, Unit: UnitCount, Aggregation: Sum,
		Labels: []string{voicemetrics.LabelResult}, Dimensions: [][]string{{voicemetrics.LabelResult}}, Bounds: results3,
		Statistic: StatSum, Reads: "alarm ConnectionSuccessRate (metric math); dashboard: connection success"},
	{Name: voicemetrics.MetricICEGatheringDuration, Kind: Histogram, Unit: UnitSeconds, Aggregation: Sum,
		Dimensions: [][]string{{}}, Statistic: StatP95, Reads: "dashboard: ICE gathering time"},
	{Name: voicemetrics.MetricICEGatheringTimeouts, Kind: Counter, Unit: UnitCount, Aggregation: Sum,
		Dimensions: [][]string{{}}, Statistic: StatSum, Reads: "dashboard: ICE gathering timeouts"},
	{Name: voicemetrics.MetricICERestarts, Kind: Counter, Unit: UnitCount, Aggregation: Sum,
		Labels: []string{voicemetrics.LabelResult}, Dimensions: [][]string{{voicemetrics.LabelResult}}, Bounds: results3,
		Statistic: StatSum, Reads: "dashboard: ICE restarts"},
	{Name: voicemetrics.MetricICESelectedPairs, Kind: Counter, Unit: UnitCount, Aggregation: Sum,
		Labels:     []string{voicemetrics.LabelLocalType, voicemetrics.LabelRemoteType, voicemetrics.LabelProtocol},
		Dimensions: [][]string{{voicemetrics.LabelLocalType, voicemetrics.LabelRemoteType}}, Bounds: pairTypes,
		Statistic: StatSum, Reads: "dashboard: candidate types in use"},
	{Name: voicemetrics.MetricHTTPScannerRequests, Kind: Counter, Unit: UnitCount, Aggregation: Sum,
		Labels: []string{voicemetrics.LabelPattern}, Dimensions: [][]string{
			{voicemetrics.LabelPattern}, // dashboard: scanner requests by pattern
			{},                          // alarm ScannerRequestsReachService (summed over patterns)
		},
		Bounds: map[string]int{voicemetrics.LabelPattern: PatternCount}, Statistic: StatSum,
		Reads: "alarm ScannerRequestsReachService; dashboard: scanner requests"},
	{Name: voicemetrics.MetricResponseLatency, Kind: Histogram, Unit: UnitSeconds, Aggregation: Sum,
		Dimensions: [][]string{{}}, Statistic: StatP95, Reads: "dashboard: voice-to-voice latency"},
	{Name: voicemetrics.MetricSessionDuration, Kind: Histogram, Unit: UnitSeconds, Aggregation: Sum,
		Labels: []string{voicemetrics.LabelOutcome}, Dimensions: [][]string{{}}, Statistic: StatP95, Reads: "dashboard: session duration"},
	{Name: voicemetrics.MetricSessionsActive, Kind: Gauge, Unit: UnitCount, Aggregation: Sum,
		Dimensions: [][]string{{}}, Statistic: StatSum, Period: 60,
		Reads: "dashboard: sessions active (every task's count added: Sum at the 60 s export interval)"},
	{Name: voicemetrics.MetricSessionsEnded, Kind: Counter, Unit: UnitCount, Aggregation: Sum,
		Labels: []string{voicemetrics.LabelOutcome}, Dimensions: [][]string{{voicemetrics.LabelOutcome}}, Bounds: outcomes,
		Statistic: StatSum, Reads: "dashboard: sessions completed, completion rate"},
	{Name: voicemetrics.MetricSessionsStarted, Kind: Counter, Unit: UnitCount, Aggregation: Sum,
		Dimensions: [][]string{{}}, Statistic: StatSum, Reads: "dashboard: sessions created"},
	{Name: voicemetrics.MetricStoreWrites, Kind: Counter, Unit: UnitCount, Aggregation: Sum,
		Labels: []string{voicemetrics.LabelResult}, Dimensions: [][]string{{voicemetrics.LabelResult}},
		Bounds: map[string]int{voicemetrics.LabelResult: 4}, Statistic: StatSum, Reads: "dashboard: session store writes"},
	{Name: voicemetrics.MetricSTTErrors, Kind: Counter, Unit: UnitCount, Aggregation: Sum,
		Labels:     []string{voicemetrics.LabelProvider, voicemetrics.LabelReason},
		Dimensions: [][]string{{voicemetrics.LabelProvider, voicemetrics.LabelReason}}, Bounds: provReason,
		Statistic: StatSum, Reads: "dashboard: STT errors by provider and reason"},
	{Name: voicemetrics.MetricSTTRequests, Kind: Counter, Unit: UnitCount, Aggregation: Sum,
		Labels: []string{voicemetrics.LabelProvider}, Dimensions: [][]string{{voicemetrics.LabelProvider}}, Bounds: providers,
		Statistic: StatSum, Reads: "dashboard: STT requests (error ratio)"},
	{Name: voicemetrics.MetricTTSErrors, Kind: Counter, Unit: UnitCount, Aggregation: Sum,
		Labels:     []string{voicemetrics.LabelProvider, voicemetrics.LabelReason},
		Dimensions: [][]string{{voicemetrics.LabelProvider, voicemetrics.LabelReason}}, Bounds: provReason,
		Statistic: StatSum, Reads: "dashboard: TTS errors by provider and reason"},
	{Name: voicemetrics.MetricTTSFirstByte, Kind: Histogram, Unit: UnitSeconds, Aggregation: Sum,
		Labels: []string{voicemetrics.LabelProvider}, Dimensions: [][]string{{}}, Statistic: StatP95,
		Reads: "dashboard: TTS time to first byte"},
	{Name: voicemetrics.MetricTTSRequests, Kind: Counter, Unit: UnitCount, Aggregation: Sum,
		Labels: []string{voicemetrics.LabelProvider}, Dimensions: [][]string{{voicemetrics.LabelProvider}}, Bounds: providers,
		Statistic: StatSum, Reads: "dashboard: TTS requests (error ratio)"},
	// Media and conversation quality.
	{Name: voicemetrics.MetricRTPPacketsLost, Kind: Counter, Unit: UnitCount, Aggregation: Sum,
		Labels: []string{voicemetrics.LabelDirection}, Dimensions: [][]string{{voicemetrics.LabelDirection}}, Bounds: directions,
		Statistic: StatSum, Reads: "dashboard: RTP packets lost by direction"},
	{Name: voicemetrics.MetricRTPJitter, Kind: Histogram, Unit: UnitSeconds, Aggregation: Sum,
		Labels: []string{voicemetrics.LabelDirection}, Dimensions: [][]string{{voicemetrics.LabelDirection}}, Bounds: directions,
		Statistic: StatP95, Reads: "dashboard: RTP jitter by direction"},
	{Name: voicemetrics.MetricRTT, Kind: Histogram, Unit: UnitSeconds, Aggregation: Sum,
		Dimensions: [][]string{{}}, Statistic: StatP95, Reads: "dashboard: round-trip time"},
	{Name: voicemetrics.MetricSessionMOS, Kind: Histogram, Unit: UnitNone, Aggregation: Sum,
		Dimensions: [][]string{{}}, Statistic: StatP10, Reads: "dashboard: session MOS (p10: the worst calls)"},
	{Name: voicemetrics.MetricTurnStage, Kind: Histogram, Unit: UnitSeconds, Aggregation: Sum,
		Labels: []string{voicemetrics.LabelStage}, Dimensions: [][]string{{voicemetrics.LabelStage}},
		Bounds: map[string]int{voicemetrics.LabelStage: 5}, Statistic: StatP50,
		Reads: "dashboard: where an exchange's latency goes (median per stage, stacked)"},
	{Name: voicemetrics.MetricInterruptions, Kind: Counter, Unit: UnitCount, Aggregation: Sum,
		Dimensions: [][]string{{}}, Statistic: StatSum, Reads: "dashboard: barge-ins"},
	{Name: probemetrics.MetricProbeRTT, Kind: Gauge, Unit: UnitSeconds, Aggregation: Max,
		Labels: probeLabels, Dimensions: perProbe, Statistic: StatMaximum, Reads: "dashboard: probe RTT (worst task)"},
	{Name: probemetrics.MetricProbeJitter, Kind: Gauge, Unit: UnitSeconds, Aggregation: Max,
		Labels: probeLabels, Dimensions: perProbe, Statistic: StatMaximum, Reads: "dashboard: probe jitter (worst task)"},
	{Name: probemetrics.MetricProbePacketLoss, Kind: Gauge, Unit: UnitNone, Aggregation: Max,
		Labels: probeLabels, Dimensions: perProbe, Statistic: StatMaximum, Reads: "dashboard: probe packet loss (worst task)"},
	{Name: probemetrics.MetricProbeCertExpiry, Kind: Gauge, Unit: UnitNone, Aggregation: Min,
		Labels: probeLabels, Dimensions: perProbe, Statistic: StatMinimum,
		Reads: "published only when a probe has a TLS target (turns:, https): for your own alarms; the Prometheus ticket ProbeCertificateExpiringSoon reads it"},
	{Name: sidecarmetrics.MetricCloudWatchDropped, Kind: Counter, Unit: UnitCount, Aggregation: Sum,
		Labels: []string{sidecarmetrics.LabelReason}, Dimensions: [][]string{{}}, Statistic: StatSum,
		Reads: "dashboard: datums the sidecar dropped"},
	{Name: sidecarmetrics.MetricScrapeUp, Kind: Gauge, Unit: UnitNone, Aggregation: Min,
		Labels: []string{sidecarmetrics.LabelTarget}, Dimensions: [][]string{{}}, Statistic: StatMinimum,
		Reads: "dashboard: media core scraped (0: a sidecar cannot read its media core)"},
})

// sortedByName sorts ms by name in place, for Lookup's binary search.
func sortedByName(ms []Metric) []Metric {
	slices.SortFunc(ms, func(a, b Metric) int { return strings.Compare(a.Name, b.Name) })
	return ms
}

// Metrics returns the catalogue sorted by name. The caller may modify the
// returned slice but not the entries' slices and maps.
func Metrics() []Metric { return slices.Clone(metrics) }

// Lookup returns the catalogue entry of name.
func Lookup(name string) (Metric, bool) {
	i, ok := slices.BinarySearchFunc(metrics, name, func(m Metric, n string) int { return strings.Compare(m.Name, n) })
	if !ok {
		return Metric{}, false
	}
	return metrics[i], true
}

// HasSet reports whether labels (in any order) is one of m's dimension sets.
func (m Metric) HasSet(labels ...string) bool {
	want := slices.Sorted(slices.Values(labels))
	for _, set := range m.Dimensions {
		if slices.Equal(slices.Sorted(slices.Values(set)), want) {
			return true
		}
	}
	return false
}
