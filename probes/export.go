package probes

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
)

var (
	descSuccess = prometheus.NewDesc(probemetrics.MetricProbeSuccess,
		"Whether the probe succeeded (1) or failed (0), assertions included.",
		[]string{probemetrics.LabelProbe, probemetrics.LabelKind, probemetrics.LabelTarget}, nil)
	descDuration = prometheus.NewDesc(probemetrics.MetricProbeDuration,
		"How long the probe took to complete in seconds.",
		[]string{probemetrics.LabelProbe, probemetrics.LabelKind, probemetrics.LabelTarget}, nil)
	descPhase = prometheus.NewDesc(probemetrics.MetricProbePhaseDuration,
		"Duration of each probe phase in seconds.",
		[]string{probemetrics.LabelProbe, probemetrics.LabelKind, probemetrics.LabelTarget, probemetrics.LabelPhase}, nil)
	labels   = []string{probemetrics.LabelProbe, probemetrics.LabelKind, probemetrics.LabelTarget}
	descRTT  = prometheus.NewDesc(probemetrics.MetricProbeRTT, "Mean round-trip time the probe measured, in seconds (turn: relay echoes; webrtc: RTCP, else ICE).", labels, nil)
	descJit  = prometheus.NewDesc(probemetrics.MetricProbeJitter, "Jitter the probe measured, in seconds (turn: of the echo RTTs; webrtc: RTP interarrival jitter of the bot's audio).", labels, nil)
	descLoss = prometheus.NewDesc(probemetrics.MetricProbePacketLoss, "Ratio (0..1) of the probe's packets lost (turn: relay echoes; webrtc: the bot's audio).", labels, nil)
	descCert = prometheus.NewDesc(probemetrics.MetricProbeCertExpiry, "Earliest NotAfter of the target's TLS certificate chain, Unix seconds.", labels, nil)

	descFailure = prometheus.NewDesc(probemetrics.MetricProbeFailureInfo,
		"Present (1) when the probe failed: the failed phase and the reason.",
		[]string{probemetrics.LabelProbe, probemetrics.LabelKind, probemetrics.LabelTarget, probemetrics.LabelPhase, probemetrics.LabelReason}, nil)
)

// Collector exposes a fixed set of results as probe metrics. Register it in
// a fresh registry per run (see [MetricsRegistry]) so no series outlives
// the run that produced it.
type Collector struct {
	results []Result
}

var _ prometheus.Collector = (*Collector)(nil)

// NewCollector returns a collector for results.
func NewCollector(results ...Result) *Collector {
	return &Collector{results: results}
}

// Describe sends the four metric descriptors.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descSuccess
	ch <- descDuration
	ch <- descPhase
	ch <- descFailure
	ch <- descRTT
	ch <- descJit
	ch <- descLoss
	ch <- descCert
}

// Collect sends one sample per result and phase.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, r := range c.results {
		success := 0.0
		if r.Success {
			success = 1
		}
		ch <- prometheus.MustNewConstMetric(descSuccess, prometheus.GaugeValue, success, r.Probe, r.Kind, r.Target)
		ch <- prometheus.MustNewConstMetric(descDuration, prometheus.GaugeValue, r.Duration.Seconds(), r.Probe, r.Kind, r.Target)
		for _, ph := range r.Phases {
			ch <- prometheus.MustNewConstMetric(descPhase, prometheus.GaugeValue, ph.Duration.Seconds(), r.Probe, r.Kind, r.Target, ph.Name)
		}
		if !r.Success && r.Failure != nil {
			ch <- prometheus.MustNewConstMetric(descFailure, prometheus.GaugeValue, 1, r.Probe, r.Kind, r.Target, r.Failure.Phase, string(r.Failure.Reason))
		}
		if m := r.Media; m != nil {
			ch <- prometheus.MustNewConstMetric(descRTT, prometheus.GaugeValue, m.RTT.Seconds(), r.Probe, r.Kind, r.Target)
			ch <- prometheus.MustNewConstMetric(descJit, prometheus.GaugeValue, m.Jitter.Seconds(), r.Probe, r.Kind, r.Target)
			ch <- prometheus.MustNewConstMetric(descLoss, prometheus.GaugeValue, m.Loss, r.Probe, r.Kind, r.Target)
		}
		if !r.CertExpiry.IsZero() {
			ch <- prometheus.MustNewConstMetric(descCert, prometheus.GaugeValue, float64(r.CertExpiry.Unix()), r.Probe, r.Kind, r.Target)
		}
	}
}

// MetricsRegistry returns a fresh registry holding the metrics of results.
// It fails when two results share probe, kind and target.
func MetricsRegistry(results ...Result) (*prometheus.Registry, error) {
	reg := prometheus.NewRegistry()
	if err := reg.Register(NewCollector(results...)); err != nil {
		return nil, err
	}
	if _, err := reg.Gather(); err != nil { // duplicate series surface here
		return nil, err
	}
	return reg, nil
}
