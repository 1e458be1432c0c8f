package sidecar

import (
	"runtime"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/voicewatch/voicewatch/exporter/sidecarmetrics"
)

// newBuildInfo returns the voicewatch_build_info gauge (always 1).
func newBuildInfo() prometheus.Collector {
	version := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		version = bi.Main.Version
	}
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        sidecarmetrics.MetricBuildInfo,
		Help:        "Always 1; labels carry the sidecar's version and Go version.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()},
	}, func() float64 { return 1 })
}
