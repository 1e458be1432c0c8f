//go:build !sidecaronly

package main

import (
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/voicewatch/voicewatch/probes/probemetrics"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// TestDemoMediaQuality is the media-quality acceptance run: after three
// calls on the demo (greeting on, as shipped), the media core's /metrics
// has the quality and exchange families with data, the mean MOS of these
// clean loopback calls is in [3.5, 5], the exchange stages add up to the
// response latency, and the sidecar publishes probe RTT, jitter and loss
// for its TURN and WebRTC probes.
func TestDemoMediaQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo")
	}
	d := startDemo(t, "--call-interval", "300ms", "--calls", "3")
	voiceAddr := d.waitOutput(`metrics\s+http://(127\.0\.0\.1:\d+)/metrics`, 45*time.Second)
	sidecarAddr := strings.TrimPrefix(d.sidecar, "http://")
	d.waitOutput(`(call 3) `, 45*time.Second)

	var mf map[string]*dto.MetricFamily
	eventually(t, 30*time.Second, "the three calls' sessions to end with a MOS", func() bool {
		mf = scrape(t, "http://"+voiceAddr+"/metrics")
		return histCount(mf[voicemetrics.MetricSessionMOS], nil) >= 3
	})
	for _, name := range []string{voicemetrics.MetricRTPJitter, voicemetrics.MetricRTT, voicemetrics.MetricTurnStage, voicemetrics.MetricResponseLatency} {
		if histCount(mf[name], nil) == 0 {
			t.Errorf("%s has no observations after three calls", name)
		}
	}
	if _, ok := mf[voicemetrics.MetricRTPPacketsLost]; !ok {
		t.Errorf("%s missing", voicemetrics.MetricRTPPacketsLost)
	}
	if _, ok := mf[voicemetrics.MetricInterruptions]; !ok {
		t.Errorf("%s missing", voicemetrics.MetricInterruptions)
	}
	mos := mf[voicemetrics.MetricSessionMOS].Metric[0].Histogram
	if mean := mos.GetSampleSum() / float64(mos.GetSampleCount()); mean < 3.5 || mean > 5 {
		t.Errorf("mean MOS of clean loopback calls = %.2f, want in [3.5, 5]", mean)
	}
	var stages float64
	for _, st := range voicemetrics.Stages {
		stages += histSum(mf[voicemetrics.MetricTurnStage], map[string]string{voicemetrics.LabelStage: st})
	}
	if latency := histSum(mf[voicemetrics.MetricResponseLatency], nil); math.Abs(stages-latency) > 1e-6 {
		t.Errorf("exchange stages add up to %.6f s, response latency to %.6f s", stages, latency)
	}

	eventually(t, 30*time.Second, "probe RTT, jitter and loss for the turn and webrtc probes", func() bool {
		sm := scrape(t, "http://"+sidecarAddr+"/metrics")
		for _, kind := range []string{probemetrics.KindTURN, probemetrics.KindWebRTC} {
			for _, name := range []string{probemetrics.MetricProbeRTT, probemetrics.MetricProbeJitter, probemetrics.MetricProbePacketLoss} {
				if !hasSeries(sm[name], map[string]string{probemetrics.LabelKind: kind}) {
					return false
				}
			}
		}
		return true
	})

	// blackbox_exporter style /probe: the webrtc module's result has them too.
	pm := scrape(t, "http://"+sidecarAddr+"/probe?module=webrtc&target=http://"+voiceAddr+"/whip")
	for _, name := range []string{probemetrics.MetricProbeRTT, probemetrics.MetricProbeJitter, probemetrics.MetricProbePacketLoss} {
		if !hasSeries(pm[name], map[string]string{probemetrics.LabelKind: probemetrics.KindWebRTC}) {
			t.Errorf("/probe?module=webrtc has no %s", name)
		}
	}
}

func eventually(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s", what, d)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	mf, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return mf
}

func matches(m *dto.Metric, labels map[string]string) bool {
	for k, v := range labels {
		found := false
		for _, l := range m.Label {
			if l.GetName() == k && l.GetValue() == v {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func hasSeries(f *dto.MetricFamily, labels map[string]string) bool {
	if f == nil {
		return false
	}
	for _, m := range f.Metric {
		if matches(m, labels) {
			return true
		}
	}
	return false
}

func histCount(f *dto.MetricFamily, labels map[string]string) uint64 {
	var n uint64
	if f != nil {
		for _, m := range f.Metric {
			if m.Histogram != nil && matches(m, labels) {
				n += m.Histogram.GetSampleCount()
			}
		}
	}
	return n
}

func histSum(f *dto.MetricFamily, labels map[string]string) float64 {
	var s float64
	if f != nil {
		for _, m := range f.Metric {
			if m.Histogram != nil && matches(m, labels) {
				s += m.Histogram.GetSampleSum()
			}
		}
	}
	return s
}
