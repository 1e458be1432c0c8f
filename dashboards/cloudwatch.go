package dashboards

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/voicewatch/voicewatch/exporter/cloudwatch/catalog"
	"github.com/voicewatch/voicewatch/exporter/sidecarmetrics"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// This file builds the CloudWatch dashboard body for teams without Grafana:
// the incident's widgets (sessions created vs completed, errors, ECS running
// tasks, ALB performance) plus voicewatch's own metrics. CloudWatch matches
// a metric by namespace, name and the exact dimension set, so every metric
// of our namespace is read at a dimension set of the CloudWatch catalogue
// (exporter/cloudwatch/catalog), with the static dimensions Service and
// Environment of the configuration and the catalogue's statistic: a widget
// that names a set the sidecar does not publish is an error, not an empty
// graph.

// cwWidget is one widget of a CloudWatch dashboard body.
type cwWidget struct {
	Type       string       `json:"type"`
	X          int          `json:"x"`
	Y          int          `json:"y"`
	Width      int          `json:"width"`
	Height     int          `json:"height"`
	Properties cwProperties `json:"properties"`
}

type cwProperties struct {
	Title       string         `json:"title"`
	Region      string         `json:"region,omitempty"`
	View        string         `json:"view,omitempty"`
	Stacked     *bool          `json:"stacked,omitempty"`
	Period      int            `json:"period,omitempty"`
	Stat        string         `json:"stat,omitempty"`
	Metrics     [][]any        `json:"metrics,omitempty"`
	YAxis       *cwYAxis       `json:"yAxis,omitempty"`
	Annotations *cwAnnotations `json:"annotations,omitempty"`
	Markdown    string         `json:"markdown,omitempty"`
}

type cwYAxis struct {
	Left cwAxis `json:"left"`
}

type cwAxis struct {
	Min   *float64 `json:"min,omitempty"`
	Max   *float64 `json:"max,omitempty"`
	Label string   `json:"label,omitempty"`
}

type cwAnnotations struct {
	Horizontal []cwHLine `json:"horizontal"`
}

type cwHLine struct {
	Label string  `json:"label"`
	Value float64 `json:"value"`
}

type cwBody struct {
	Widgets []cwWidget `json:"widgets"`
}

// cw builds widgets of one Config.
type cw struct {
	cfg    CloudWatchConfig
	period int
}

// ours is a reader of catalogue metrics in our namespace; the first error
// (a dimension set the catalogue does not publish) is kept.
type ours struct {
	c   cw
	err error
}

// entry returns the catalogue entry of metric and checks that labels is
// one of its dimension sets.
func (o *ours) entry(metric string, labels []string) catalog.Metric {
	m, ok := catalog.Lookup(metric)
	if !ok {
		o.fail(fmt.Errorf("%w: %s is not in the CloudWatch catalogue: the sidecar does not publish it", ErrInvalidConfig, metric))
		return m
	}
	for _, set := range m.Dimensions {
		if slices.Equal(sorted(set), sorted(labels)) {
			return m
		}
	}
	o.fail(fmt.Errorf("%w: %s is not published with the dimensions %v (catalogue sets: %v)", ErrInvalidConfig, metric, labels, m.Dimensions))
	return m
}

func (o *ours) fail(err error) {
	if o.err == nil {
		o.err = err
	}
}

func sorted(l []string) []string {
	l = slices.Clone(l)
	slices.Sort(l)
	return l
}

// statOf returns s, or the catalogue's statistic when stat is "".
func statOf(m catalog.Metric, s string) string {
	if s == "" {
		return m.Statistic
	}
	return s
}

// metric is a metric row at one dimension set with fixed values (dims:
// label → value), with the static dimensions; stat "" is the catalogue's.
func (o *ours) metric(name string, dims map[string]string, st, label, id string) []any {
	labels := slices.Sorted(maps.Keys(dims))
	m := o.entry(name, labels)
	row := []any{o.c.cfg.Namespace, name, catalog.DimEnvironment, o.c.cfg.Environment, catalog.DimService, o.c.cfg.Service}
	for _, l := range labels {
		row = append(row, l, dims[l])
	}
	opts := map[string]any{"label": label, "stat": statOf(m, st), "id": id}
	if m.Period != 0 {
		opts["period"] = m.Period
	}
	return append(row, opts)
}

// search is a SEARCH expression over our namespace for one metric at the
// dimension set labels (static dimensions added), restricted to this
// Service and Environment and to the given label values; stat "" is the
// catalogue's.
func (o *ours) search(name string, labels []string, filter map[string]string, st string) string {
	m := o.entry(name, labels)
	schema := strings.Join(append([]string{o.c.cfg.Namespace, catalog.DimEnvironment, catalog.DimService}, labels...), ",")
	q := fmt.Sprintf(`MetricName="%s" %s="%s" %s="%s"`, name, catalog.DimEnvironment, o.c.cfg.Environment, catalog.DimService, o.c.cfg.Service)
	for _, k := range slices.Sorted(maps.Keys(filter)) {
		q += fmt.Sprintf(` %s="%s"`, k, filter[k])
	}
	period := o.c.period
	if m.Period != 0 {
		period = m.Period
	}
	return fmt.Sprintf(`SEARCH('{%s} %s', '%s', %d)`, schema, q, statOf(m, st), period)
}

// awsSearch is a SEARCH over an AWS namespace, optionally filtered.
func (c cw) awsSearch(schema, metric, stat, filter string) string {
	if filter != "" {
		filter = " " + filter
	}
	return fmt.Sprintf(`SEARCH('{%s} MetricName="%s"%s', '%s', %d)`, schema, metric, filter, stat, c.period)
}

// expr is a metric-math row of a widget.
func expr(expression, label, id string, visible bool) []any {
	opts := map[string]any{"expression": expression, "label": label, "id": id}
	if !visible {
		opts["visible"] = false
	}
	return []any{opts}
}

func (c cw) graph(title string, metrics ...[]any) cwWidget {
	return cwWidget{Type: "metric", Width: 12, Height: 6, Properties: cwProperties{
		Title: title, Region: c.cfg.Region, View: "timeSeries", Stacked: new(bool), Period: c.period, Metrics: metrics,
	}}
}

// stacked shows w's series stacked (a breakdown that adds up).
func (c cw) stacked(w cwWidget) cwWidget {
	t := true
	w.Properties.Stacked = &t
	return w
}

func (c cw) ratioGraph(title string, target float64, metrics ...[]any) cwWidget {
	w := c.graph(title, metrics...)
	zero, hundred := 0.0, 100.0
	w.Properties.YAxis = &cwYAxis{Left: cwAxis{Min: &zero, Max: &hundred, Label: "%"}}
	w.Properties.Annotations = &cwAnnotations{Horizontal: []cwHLine{{Label: "target " + pct(target), Value: target * 100}}}
	return w
}

// CloudWatchBody returns the CloudWatch dashboard body (the DashboardBody of
// PutDashboard) as indented JSON with a trailing newline.
func (g *Generator) CloudWatchBody() ([]byte, error) {
	c := cw{cfg: g.cfg.CloudWatch, period: int(g.cfg.CloudWatch.Period.Seconds())}
	o := &ours{c: c}
	ecsFilter := ""
	if c.cfg.ECSCluster != "" {
		ecsFilter = fmt.Sprintf(`ClusterName="%s"`, c.cfg.ECSCluster)
	}
	albFilter := ""
	if c.cfg.LoadBalancer != "" {
		albFilter = fmt.Sprintf(`LoadBalancer="%s"`, c.cfg.LoadBalancer)
	}
	outcome, result, provider, reason := voicemetrics.LabelOutcome, voicemetrics.LabelResult, voicemetrics.LabelProvider, voicemetrics.LabelReason
	probe, kind := probemetrics.LabelProbe, probemetrics.LabelKind
	none := map[string]string{}
	completed := map[string]string{outcome: voicemetrics.OutcomeCompleted}
	byResult := func(r string) map[string]string { return map[string]string{result: r} }
	hist := func(title, name, id string) cwWidget {
		return c.graph(title, o.metric(name, none, "p50", "p50", id+"50"), o.metric(name, none, "p95", "p95", id+"95"))
	}
	bySet := func(title, name string, labels []string, id string) cwWidget {
		return c.graph(title, expr(o.search(name, labels, nil, ""), "", id, true))
	}

	widgets := []cwWidget{
		{Type: "text", Width: 24, Height: 2, Properties: cwProperties{Title: "voicewatch", Markdown: fmt.Sprintf(
			"# voicewatch — %s / %s\nGenerated by `agent dashboards export` from the CloudWatch catalogue for Service=%s, Environment=%s; do not edit by hand. Grafana dashboards carry the full detail.",
			c.cfg.Service, c.cfg.Environment, c.cfg.Service, c.cfg.Environment)}},
		c.graph("Sessions created vs completed",
			o.metric(voicemetrics.MetricSessionsStarted, none, "", "created", "started"),
			o.metric(voicemetrics.MetricSessionsEnded, completed, "", "completed", "completed")),
		c.ratioGraph("Session completion rate", g.cfg.CompletionTarget,
			expr(o.search(voicemetrics.MetricSessionsEnded, []string{outcome}, nil, ""), "ended", "ended", false),
			hide(o.metric(voicemetrics.MetricSessionsEnded, completed, "", "completed", "completed")),
			expr("100 * completed / SUM(ended)", "completion %", "completion", true)),
		c.ratioGraph("WebRTC connection success rate", g.cfg.ConnectionSuccessTarget,
			hide(o.metric(voicemetrics.MetricConnections, byResult(voicemetrics.ConnectionConnected), "", "connected", "connected")),
			hide(o.metric(voicemetrics.MetricConnections, byResult(voicemetrics.ConnectionFailed), "", "failed", "failed")),
			hide(o.metric(voicemetrics.MetricConnections, byResult(voicemetrics.ConnectionTimeout), "", "timeout", "timeout")),
			expr("100 * FILL(connected, 0) / (FILL(connected, 0) + FILL(failed, 0) + FILL(timeout, 0))", "success %", "success", true)),
		bySet("Connection attempts by result", voicemetrics.MetricConnections, []string{result}, "byresult"),
		c.graph("Sessions active (all tasks)", o.metric(voicemetrics.MetricSessionsActive, none, "", "active", "active")),
		hist("ICE gathering time (p50, p95)", voicemetrics.MetricICEGatheringDuration, "ice"),
		c.graph("ICE gathering timeouts", o.metric(voicemetrics.MetricICEGatheringTimeouts, none, "", "timeouts", "icetimeouts")),
		hist("Connection setup time (p50, p95)", voicemetrics.MetricConnectionSetup, "setup"),
		bySet("ICE restarts by result", voicemetrics.MetricICERestarts, []string{result}, "restarts"),
		bySet("Selected candidate pairs (host, srflx, prflx, relay)", voicemetrics.MetricICESelectedPairs,
			[]string{voicemetrics.LabelLocalType, voicemetrics.LabelRemoteType}, "pairs"),
		bySet("STT requests by provider", voicemetrics.MetricSTTRequests, []string{provider}, "sttreq"),
		c.graph("STT errors by provider and reason", expr(o.search(voicemetrics.MetricSTTErrors, []string{provider, reason}, nil, ""), "", "stt", true)),
		bySet("TTS requests by provider", voicemetrics.MetricTTSRequests, []string{provider}, "ttsreq"),
		c.graph("TTS errors by provider and reason", expr(o.search(voicemetrics.MetricTTSErrors, []string{provider, reason}, nil, ""), "", "tts", true)),
		hist("TTS time to first byte (p50, p95)", voicemetrics.MetricTTSFirstByte, "ttfb"),
		hist("Voice-to-voice latency (p50, p95)", voicemetrics.MetricResponseLatency, "lat"),
		hist("Session duration (p50, p95)", voicemetrics.MetricSessionDuration, "dur"),
		// Media and conversation quality.
		c.graph("RTP packets lost (in: the bot heard, out: callers heard)",
			o.metric(voicemetrics.MetricRTPPacketsLost, map[string]string{voicemetrics.LabelDirection: "in"}, "", "in", "lostin"),
			o.metric(voicemetrics.MetricRTPPacketsLost, map[string]string{voicemetrics.LabelDirection: "out"}, "", "out", "lostout")),
		c.graph("RTP jitter p95 by direction",
			o.metric(voicemetrics.MetricRTPJitter, map[string]string{voicemetrics.LabelDirection: "in"}, "", "in", "jitin"),
			o.metric(voicemetrics.MetricRTPJitter, map[string]string{voicemetrics.LabelDirection: "out"}, "", "out", "jitout")),
		hist("Round-trip time (p50, p95)", voicemetrics.MetricRTT, "rtt"),
		c.graph("Session MOS (p10: the worst calls, p50)",
			o.metric(voicemetrics.MetricSessionMOS, none, "", "p10", "mos10"),
			o.metric(voicemetrics.MetricSessionMOS, none, "p50", "p50", "mos50")),
		c.stacked(c.graph("Where an exchange's latency goes (median per stage)",
			expr(o.search(voicemetrics.MetricTurnStage, []string{voicemetrics.LabelStage}, nil, ""), "", "stages", true))),
		c.graph("Barge-ins", o.metric(voicemetrics.MetricInterruptions, none, "", "interruptions", "bargein")),
		c.graph("Probe RTT and jitter (worst task)",
			expr(o.search(probemetrics.MetricProbeRTT, []string{probe, kind}, nil, ""), "", "probertt", true),
			expr(o.search(probemetrics.MetricProbeJitter, []string{probe, kind}, nil, ""), "", "probejit", true)),
		bySet("Probe packet loss (worst task)", probemetrics.MetricProbePacketLoss, []string{probe, kind}, "probeloss"),
		bySet("Session store writes by result", voicemetrics.MetricStoreWrites, []string{result}, "store"),
		bySet("Scanner requests by pattern", voicemetrics.MetricHTTPScannerRequests, []string{voicemetrics.LabelPattern}, "scanner"),
		c.wafWidget("voicewatch"),
		c.graph("Probe success (1 = every task's probe passed)",
			expr(o.search(probemetrics.MetricProbeSuccess, []string{probe, kind}, nil, ""), "", "probes", true),
			expr(o.search(probemetrics.MetricProbeSuccess, []string{kind}, nil, ""), "", "kinds", false),
			o.metric(probemetrics.MetricProbeSuccess, none, "", "all probes", "allprobes")),
		bySet("Probe duration (slowest task)", probemetrics.MetricProbeDuration, []string{probe, kind}, "probedur"),
		c.graph("Sidecar: media core scraped, datums dropped",
			o.metric(sidecarmetrics.MetricScrapeUp, none, "", "scraped (min over tasks)", "scrapeup"),
			o.metric(sidecarmetrics.MetricCloudWatchDropped, none, "", "datums dropped", "cwdropped")),
		c.graph("ECS running tasks", expr(c.awsSearch("ECS/ContainerInsights,ClusterName,ServiceName", "RunningTaskCount", "Average", ecsFilter), "", "ecs", true)),
		c.graph("ALB requests and 5XX",
			expr(c.awsSearch("AWS/ApplicationELB,LoadBalancer", "RequestCount", "Sum", albFilter), "", "req", true),
			expr(c.awsSearch("AWS/ApplicationELB,LoadBalancer", "HTTPCode_Target_5XX_Count", "Sum", albFilter), "", "t5xx", true),
			expr(c.awsSearch("AWS/ApplicationELB,LoadBalancer", "HTTPCode_ELB_5XX_Count", "Sum", albFilter), "", "e5xx", true)),
		c.graph("ALB target response time (p95)",
			expr(c.awsSearch("AWS/ApplicationELB,LoadBalancer", "TargetResponseTime", "p95", albFilter), "", "rt", true)),
		c.graph("ALB unhealthy targets",
			expr(c.awsSearch("AWS/ApplicationELB,LoadBalancer,TargetGroup", "UnHealthyHostCount", "Maximum", albFilter), "", "unhealthy", true)),
	}
	if o.err != nil {
		return nil, o.err
	}
	layout(widgets)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(cwBody{Widgets: widgets}); err != nil {
		return nil, fmt.Errorf("encode cloudwatch dashboard: %w", err)
	}
	return buf.Bytes(), nil
}

// hide makes a metric row invisible (an input of an expression).
func hide(row []any) []any {
	opts := row[len(row)-1].(map[string]any)
	opts["visible"] = false
	return row
}

// layout places widgets left to right on the 24-column grid.
func layout(ws []cwWidget) {
	x, y, rowH := 0, 0, 0
	for i := range ws {
		if x+ws[i].Width > 24 {
			x, y, rowH = 0, y+rowH, 0
		}
		ws[i].X, ws[i].Y = x, y
		x += ws[i].Width
		rowH = max(rowH, ws[i].Height)
	}
}
