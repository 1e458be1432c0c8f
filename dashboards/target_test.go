package dashboards_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/voicewatch/voicewatch/exporter/sidecarmetrics"
	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// The voice and exporter packages declare their metric names but do not yet
// expose instruments that a test can register, so these targets build
// registries from the constants, with the documented types and labels. The
// probe target uses the real probes.Collector. Each scrape records one
// more "session", so rate() and histogram_quantile() have data.

// activity is something a scrape advances.
type activity func()

// serve starts an httptest server on 127.0.0.1 serving reg at /metrics,
// running tick before each scrape.
func serve(t *testing.T, reg *prometheus.Registry, tick activity) string {
	t.Helper()
	var mu sync.Mutex
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		tick()
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

func counter(reg *prometheus.Registry, name string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: name}, labels)
	reg.MustRegister(c)
	return c
}

func gauge(reg *prometheus.Registry, name string, labels ...string) *prometheus.GaugeVec {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: name}, labels)
	reg.MustRegister(g)
	return g
}

func histogram(reg *prometheus.Registry, name string, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: name, Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}}, labels)
	reg.MustRegister(h)
	return h
}

func withRuntime(reg *prometheus.Registry) *prometheus.Registry {
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// voiceTarget serves the media core's metrics.
func voiceTarget(t *testing.T) string {
	reg := withRuntime(prometheus.NewRegistry())
	started := counter(reg, voicemetrics.MetricSessionsStarted)
	ended := counter(reg, voicemetrics.MetricSessionsEnded, voicemetrics.LabelOutcome)
	active := gauge(reg, voicemetrics.MetricSessionsActive)
	duration := histogram(reg, voicemetrics.MetricSessionDuration, voicemetrics.LabelOutcome)
	gathering := histogram(reg, voicemetrics.MetricICEGatheringDuration)
	gatherTimeouts := counter(reg, voicemetrics.MetricICEGatheringTimeouts)
	setup := histogram(reg, voicemetrics.MetricConnectionSetup)
	conns := counter(reg, voicemetrics.MetricConnections, voicemetrics.LabelResult)
	states := counter(reg, voicemetrics.MetricConnectionStateChanges, voicemetrics.LabelState)
	pairs := counter(reg, voicemetrics.MetricICESelectedPairs, voicemetrics.LabelLocalType, voicemetrics.LabelRemoteType, voicemetrics.LabelProtocol)
	restarts := counter(reg, voicemetrics.MetricICERestarts, voicemetrics.LabelResult)
	sttReq := counter(reg, voicemetrics.MetricSTTRequests, voicemetrics.LabelProvider)
	sttErr := counter(reg, voicemetrics.MetricSTTErrors, voicemetrics.LabelProvider, voicemetrics.LabelReason)
	ttsReq := counter(reg, voicemetrics.MetricTTSRequests, voicemetrics.LabelProvider)
	ttsErr := counter(reg, voicemetrics.MetricTTSErrors, voicemetrics.LabelProvider, voicemetrics.LabelReason)
	ttsFirst := histogram(reg, voicemetrics.MetricTTSFirstByte, voicemetrics.LabelProvider)
	latency := histogram(reg, voicemetrics.MetricResponseLatency)
	store := counter(reg, voicemetrics.MetricStoreWrites, voicemetrics.LabelResult)
	httpReq := counter(reg, voicemetrics.MetricHTTPRequests, voicemetrics.LabelRoute, voicemetrics.LabelCode)
	scanner := counter(reg, voicemetrics.MetricHTTPScannerRequests, voicemetrics.LabelPattern)
	limited := counter(reg, voicemetrics.MetricHTTPRateLimited)
	rejected := counter(reg, voicemetrics.MetricHTTPRejected, voicemetrics.LabelReason)
	wsConns := counter(reg, voicemetrics.MetricWebSocketConnections)
	wsActive := gauge(reg, voicemetrics.MetricWebSocketActive)
	rtpBytes := counter(reg, voicemetrics.MetricRTPBytes, voicemetrics.LabelDirection)
	rtpPackets := counter(reg, voicemetrics.MetricRTPPackets, voicemetrics.LabelDirection)
	gauge(reg, voicemetrics.MetricBuildInfo, "version").WithLabelValues("test").Set(1)
	lost := counter(reg, voicemetrics.MetricRTPPacketsLost, voicemetrics.LabelDirection)
	jitter := histogram(reg, voicemetrics.MetricRTPJitter, voicemetrics.LabelDirection)
	rtt := histogram(reg, voicemetrics.MetricRTT)
	mos := prometheus.NewHistogram(prometheus.HistogramOpts{Name: voicemetrics.MetricSessionMOS, Help: "mos", Buckets: []float64{2, 3, 3.5, 4, 4.5}})
	reg.MustRegister(mos)
	stages := histogram(reg, voicemetrics.MetricTurnStage, voicemetrics.LabelStage)
	interruptions := counter(reg, voicemetrics.MetricInterruptions)

	n := 0
	return serve(t, reg, func() {
		n++
		started.WithLabelValues().Inc()
		ended.WithLabelValues(voicemetrics.OutcomeCompleted).Inc()
		if n%3 == 0 {
			ended.WithLabelValues(voicemetrics.OutcomeAbandoned).Inc()
		}
		ended.WithLabelValues(voicemetrics.OutcomeRejected).Add(0)
		active.WithLabelValues().Set(float64(n % 4))
		duration.WithLabelValues(voicemetrics.OutcomeCompleted).Observe(42)
		gathering.WithLabelValues().Observe(0.3)
		gatherTimeouts.WithLabelValues().Add(0)
		setup.WithLabelValues().Observe(0.5)
		conns.WithLabelValues(voicemetrics.ConnectionConnected).Inc()
		conns.WithLabelValues(voicemetrics.ConnectionTimeout).Add(0)
		states.WithLabelValues("connected").Inc()
		pairs.WithLabelValues("host", "srflx", "udp").Inc()
		restarts.WithLabelValues(voicemetrics.RestartSucceeded).Add(0)
		sttReq.WithLabelValues("transcribe").Inc()
		sttErr.WithLabelValues("transcribe", voicemetrics.ReasonTimeout).Inc()
		sttErr.WithLabelValues("transcribe", voicemetrics.ReasonNetwork).Add(0)
		ttsReq.WithLabelValues("elevenlabs").Inc()
		ttsErr.WithLabelValues("elevenlabs", voicemetrics.ReasonPolicyViolation).Inc()
		ttsFirst.WithLabelValues("elevenlabs").Observe(0.2)
		latency.WithLabelValues().Observe(0.8)
		store.WithLabelValues(voicemetrics.StoreOK).Inc()
		httpReq.WithLabelValues("/whip", "201").Inc()
		scanner.WithLabelValues("weblogic_console").Add(3)
		limited.WithLabelValues().Inc()
		rejected.WithLabelValues("body_too_large").Inc()
		wsConns.WithLabelValues().Inc()
		wsActive.WithLabelValues().Set(1)
		rtpBytes.WithLabelValues("in").Add(16000)
		for _, d := range []string{voicemetrics.DirectionIn, voicemetrics.DirectionOut} {
			rtpPackets.WithLabelValues(d).Add(100)
			lost.WithLabelValues(d).Add(2)
			jitter.WithLabelValues(d).Observe(0.004)
		}
		rtt.WithLabelValues().Observe(0.06)
		mos.Observe(4.4)
		for _, st := range voicemetrics.Stages {
			stages.WithLabelValues(st).Observe(0.1)
		}
		interruptions.WithLabelValues().Inc()
	})
}

// sidecarTarget serves the sidecar's own metrics and real probe results.
func sidecarTarget(t *testing.T) string {
	reg := withRuntime(prometheus.NewRegistry())
	scrapeUp := gauge(reg, sidecarmetrics.MetricScrapeUp, "target")
	scrapeDur := gauge(reg, sidecarmetrics.MetricScrapeDuration, "target")
	scrapeSamples := gauge(reg, sidecarmetrics.MetricScrapeSamples, "target")
	scrapeErr := counter(reg, sidecarmetrics.MetricScrapeErrors, "target")
	logLines := counter(reg, sidecarmetrics.MetricLogLines, "class")
	logReq := counter(reg, sidecarmetrics.MetricLogRequests, "class", "code_class")
	logErr := counter(reg, sidecarmetrics.MetricLogErrors, "kind")
	logScanner := counter(reg, sidecarmetrics.MetricLogScannerRequests, "pattern")
	logEvents := counter(reg, sidecarmetrics.MetricLogEvents, "event")
	queued := gauge(reg, sidecarmetrics.MetricCloudWatchQueued)
	sent := counter(reg, sidecarmetrics.MetricCloudWatchSent)
	dropped := counter(reg, sidecarmetrics.MetricCloudWatchDropped)
	cwReq := counter(reg, sidecarmetrics.MetricCloudWatchRequests, "result")
	retries := counter(reg, sidecarmetrics.MetricCloudWatchRetries)
	seriesDropped := counter(reg, sidecarmetrics.MetricSeriesDropped, "metric")
	reg.MustRegister(probes.NewCollector(
		probes.Result{Probe: "webrtc-call", Kind: probemetrics.KindWebRTC, Target: "http://127.0.0.1:8080/whip", Success: true,
			Duration: 2 * time.Second, Phases: probes.Phases{{Name: "first_audio", Duration: time.Second}},
			Media: &probes.MediaQuality{RTT: time.Millisecond, Jitter: 2 * time.Millisecond, Loss: 0.01}},
		probes.Result{Probe: "stun-primary", Kind: probemetrics.KindSTUN, Target: "stun:127.0.0.1:3478", Success: true,
			Duration: 2 * time.Millisecond, Phases: probes.Phases{{Name: "binding", Duration: time.Millisecond}}},
		probes.Result{Probe: "turn-udp", Kind: probemetrics.KindTURN, Target: "turn:127.0.0.1:3478?transport=udp", Success: false,
			Duration: 5 * time.Second, Phases: probes.Phases{{Name: "allocate", Duration: 5 * time.Second}},
			Failure: &probes.Failure{Phase: "allocate", Reason: probes.ReasonBadCredentials, Err: errors.New("401")}},
	))

	return serve(t, reg, func() {
		scrapeUp.WithLabelValues("voice").Set(1)
		scrapeDur.WithLabelValues("voice").Set(0.01)
		scrapeSamples.WithLabelValues("voice").Set(300)
		scrapeErr.WithLabelValues("voice").Add(0)
		logLines.WithLabelValues("legitimate").Add(10)
		logLines.WithLabelValues("scanner").Add(2)
		logReq.WithLabelValues("legitimate", "2xx").Add(10)
		logErr.WithLabelValues("unparsable").Add(0)
		logScanner.WithLabelValues("sendmail_injection").Inc()
		logEvents.WithLabelValues("session.started").Inc()
		queued.WithLabelValues().Set(20)
		sent.WithLabelValues().Add(100)
		dropped.WithLabelValues().Add(0)
		cwReq.WithLabelValues("ok").Inc()
		retries.WithLabelValues().Add(0)
		seriesDropped.WithLabelValues(sidecarmetrics.MetricLogScannerRequests).Inc()
	})
}
