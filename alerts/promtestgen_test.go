package alerts

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/voicewatch/voicewatch/exporter/sidecarmetrics"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// This file generates the promtool unit tests committed under
// alerts/prometheus/tests: each scenario is input series plus, at chosen
// evaluation times, the alerts that must fire (with their rendered
// annotations) and the alerts that must stay quiet.

type (
	promTestFile struct {
		RuleFiles          []string       `yaml:"rule_files"`
		EvaluationInterval model.Duration `yaml:"evaluation_interval"`
		Tests              []promTest     `yaml:"tests"`
	}
	promTest struct {
		Name           string          `yaml:"name"`
		Interval       model.Duration  `yaml:"interval"`
		InputSeries    []inputSeries   `yaml:"input_series"`
		AlertRuleTests []alertRuleTest `yaml:"alert_rule_test,omitempty"`
		PromQLTests    []promQLTest    `yaml:"promql_expr_test,omitempty"`
	}
	inputSeries struct {
		Series string `yaml:"series"`
		Values string `yaml:"values"`
	}
	alertRuleTest struct {
		EvalTime  model.Duration `yaml:"eval_time"`
		Alertname string         `yaml:"alertname"`
		ExpAlerts []expAlert     `yaml:"exp_alerts"`
	}
	expAlert struct {
		ExpLabels      map[string]string `yaml:"exp_labels"`
		ExpAnnotations map[string]string `yaml:"exp_annotations"`
	}
	promQLTest struct {
		Expr       string         `yaml:"expr"`
		EvalTime   model.Duration `yaml:"eval_time"`
		ExpSamples []expSample    `yaml:"exp_samples"`
	}
	expSample struct {
		Labels string  `yaml:"labels"`
		Value  float64 `yaml:"value"`
	}
)

// firing is one alert expected to fire.
type firing struct {
	alert, severity string
	labels          map[string]string // labels of the alert's series
	value           string            // $value as the template renders it
	exprHint        string            // picks the rule when several share the name
}

// check is what must hold at one evaluation time.
type check struct {
	at     time.Duration
	firing []firing
	quiet  []string // alert names that must not fire; nil = every other alert
}

type scenario struct {
	name   string
	series [][2]string // series, values; replaces the baseline series of the same name
	drop   []string    // baseline series to remove
	checks []check
	exprs  []promQLTest
}

const (
	voiceInstance   = "voice:8080"
	sidecarInstance = "sidecar:9090"
	samples         = 450 // 7.5h at 1m
)

func rising(perMin int) string { return fmt.Sprintf("0+%dx%d", perMin, samples) }
func flat(v int) string        { return fmt.Sprintf("%dx%d", v, samples) }

// baseline is healthy traffic: everything connects and completes, providers
// answer, probes pass, both targets are up.
func baseline(cfg Config) [][2]string {
	v := fmt.Sprintf(`job="%s",instance="%s"`, cfg.VoiceJob, voiceInstance)
	s := fmt.Sprintf(`job="%s",instance="%s"`, cfg.SidecarJob, sidecarInstance)
	out := [][2]string{
		{fmt.Sprintf(`%s{%s}`, metricUp, v), flat(1)},
		{fmt.Sprintf(`%s{%s}`, metricUp, s), flat(1)},
		{fmt.Sprintf(`%s{%s,target="%s"}`, sidecarmetrics.MetricScrapeUp, s, voiceInstance), flat(1)},
		{fmt.Sprintf(`%s{%s}`, sidecarmetrics.MetricCloudWatchDropped, s), flat(0)},
		{fmt.Sprintf(`%s{%s,result="%s"}`, voicemetrics.MetricConnections, v, voicemetrics.ConnectionConnected), rising(20)},
		{fmt.Sprintf(`%s{%s,result="%s"}`, voicemetrics.MetricConnections, v, voicemetrics.ConnectionFailed), flat(0)},
		{fmt.Sprintf(`%s{%s,result="%s"}`, voicemetrics.MetricConnections, v, voicemetrics.ConnectionTimeout), flat(0)},
		{fmt.Sprintf(`%s{%s,outcome="%s"}`, voicemetrics.MetricSessionsEnded, v, voicemetrics.OutcomeCompleted), rising(5)},
		{fmt.Sprintf(`%s{%s,outcome="%s"}`, voicemetrics.MetricSessionsEnded, v, voicemetrics.OutcomeAbandoned), flat(0)},
		{fmt.Sprintf(`%s{%s,outcome="%s"}`, voicemetrics.MetricSessionsEnded, v, voicemetrics.OutcomeFailed), flat(0)},
		{fmt.Sprintf(`%s{%s,outcome="%s"}`, voicemetrics.MetricSessionsEnded, v, voicemetrics.OutcomeRejected), flat(0)},
		{fmt.Sprintf(`%s{%s,provider="elevenlabs"}`, voicemetrics.MetricTTSRequests, v), rising(30)},
		{fmt.Sprintf(`%s{%s,provider="elevenlabs",reason="%s"}`, voicemetrics.MetricTTSErrors, v, voicemetrics.ReasonOther), flat(0)},
		{fmt.Sprintf(`%s{%s,provider="elevenlabs",reason="%s"}`, voicemetrics.MetricTTSErrors, v, voicemetrics.ReasonPolicyViolation), flat(0)},
		{fmt.Sprintf(`%s{%s,provider="transcribe"}`, voicemetrics.MetricSTTRequests, v), rising(30)},
		{fmt.Sprintf(`%s{%s,provider="transcribe",reason="%s"}`, voicemetrics.MetricSTTErrors, v, voicemetrics.ReasonNetwork), flat(0)},
		{fmt.Sprintf(`%s{%s,provider="transcribe",reason="%s"}`, voicemetrics.MetricSTTErrors, v, voicemetrics.ReasonTimeout), flat(0)},
		{fmt.Sprintf(`%s{%s,route="/whip",code="201"}`, voicemetrics.MetricHTTPRequests, v), rising(20)},
		// Most calls connect directly, a few through the relay.
		{selectedPairSeries(cfg, voicemetrics.CandidateHost, voicemetrics.CandidateSrflx), rising(15)},
		{selectedPairSeries(cfg, voicemetrics.CandidateHost, voicemetrics.CandidateRelay), rising(5)},
	}
	for _, le := range []string{"0.5", "1", "3", "5", "+Inf"} {
		out = append(out, [2]string{fmt.Sprintf(`%s_bucket{%s,le="%s"}`, voicemetrics.MetricICEGatheringDuration, v, le), rising(20)})
	}
	for _, k := range []string{probemetrics.KindSTUN, probemetrics.KindTURN, probemetrics.KindWebRTC} {
		out = append(out, [2]string{probeSeries(cfg, k), flat(1)})
	}
	// Media quality: clean calls (every MOS in (4.4, 4.5]), probes that
	// lose nothing, a TURN certificate 90 days from expiry.
	for _, b := range []struct{ le, v string }{{"2.5", flat(0)}, {"3", flat(0)}, {"3.5", flat(0)}, {"4.4", flat(0)}, {"4.5", rising(5)}, {"+Inf", rising(5)}} {
		out = append(out, [2]string{fmt.Sprintf(`%s_bucket{%s,le="%s"}`, voicemetrics.MetricSessionMOS, v, b.le), b.v})
	}
	out = append(out, [2]string{fmt.Sprintf(`%s_count{%s}`, voicemetrics.MetricSessionMOS, v), rising(5)})
	for _, k := range []string{probemetrics.KindTURN, probemetrics.KindWebRTC} {
		out = append(out, [2]string{probeMetricSeries(cfg, probemetrics.MetricProbePacketLoss, k), flat(0)})
	}
	out = append(out, [2]string{probeMetricSeries(cfg, probemetrics.MetricProbeCertExpiry, probemetrics.KindTURN), flat(90 * 86400)})
	return out
}

// selectedPairSeries is the media core's voice_ice_selected_pairs_total
// series of one pair of candidate types over UDP.
func selectedPairSeries(cfg Config, local, remote string) string {
	return fmt.Sprintf(`%s{job="%s",instance="%s",local_type="%s",remote_type="%s",protocol="udp"}`,
		voicemetrics.MetricICESelectedPairs, cfg.VoiceJob, voiceInstance, local, remote)
}

// probeMetricSeries is the series of a probe metric for kind.
func probeMetricSeries(cfg Config, metric, kind string) string {
	l := probeLabels(cfg, kind)
	return fmt.Sprintf(`%s{job="%s",instance="%s",probe="%s",kind="%s",target="%s"}`,
		metric, l["job"], l["instance"], l["probe"], kind, l["target"])
}

func probeSeries(cfg Config, kind string) string {
	l := probeLabels(cfg, kind)
	return fmt.Sprintf(`%s{job="%s",instance="%s",probe="%s",kind="%s",target="%s"}`,
		probemetrics.MetricProbeSuccess, l["job"], l["instance"], l["probe"], kind, l["target"])
}

func probeLabels(cfg Config, kind string) map[string]string {
	return map[string]string{"job": cfg.SidecarJob, "instance": sidecarInstance,
		"probe": kind + "-primary", "kind": kind, "target": kind + ".example.test:3478"}
}

// tmplRE matches the template actions the rules use.
var tmplRE = regexp.MustCompile(`{{ \$labels\.(\w+) }}|{{ \$value \| \w+ }}`)

// render expands a rule's annotation templates the way Prometheus would
// for the given labels and pre-rendered $value.
func render(s string, labels map[string]string, value string) string {
	return tmplRE.ReplaceAllStringFunc(s, func(m string) string {
		if sub := tmplRE.FindStringSubmatch(m); sub[1] != "" {
			return labels[sub[1]]
		}
		return value
	})
}

func (f firing) expected(cfg Config, rules RuleFile) (expAlert, error) {
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Alert != f.alert || r.Labels[LabelSeverity] != f.severity || !strings.Contains(r.Expr, f.exprHint) {
				continue
			}
			labels := map[string]string{}
			for k, v := range r.Labels {
				labels[k] = v
			}
			for k, v := range f.labels {
				labels[k] = v
			}
			ann := map[string]string{}
			for k, v := range r.Annotations {
				ann[k] = render(v, labels, f.value)
			}
			return expAlert{ExpLabels: labels, ExpAnnotations: ann}, nil
		}
	}
	return expAlert{}, fmt.Errorf("no rule %s severity %s with %q", f.alert, f.severity, f.exprHint)
}

// build turns a scenario into a promtool test.
func (s scenario) build(cfg Config, rules RuleFile) (promTest, error) {
	t := promTest{Name: s.name, Interval: model.Duration(time.Minute), PromQLTests: s.exprs}
	override := map[string]string{}
	for _, kv := range s.series {
		override[kv[0]] = kv[1]
	}
	dropped := map[string]bool{}
	for _, d := range s.drop {
		dropped[d] = true
	}
	used := map[string]bool{}
	for _, kv := range baseline(cfg) {
		if dropped[kv[0]] {
			continue
		}
		v := kv[1]
		if o, ok := override[kv[0]]; ok {
			v, used[kv[0]] = o, true
		}
		t.InputSeries = append(t.InputSeries, inputSeries{kv[0], v})
	}
	for _, kv := range s.series {
		if !used[kv[0]] {
			t.InputSeries = append(t.InputSeries, inputSeries{kv[0], kv[1]})
		}
	}
	for _, c := range s.checks {
		byName := map[string][]expAlert{}
		for _, f := range c.firing {
			e, err := f.expected(cfg, rules)
			if err != nil {
				return promTest{}, fmt.Errorf("%s: %w", s.name, err)
			}
			byName[f.alert] = append(byName[f.alert], e)
		}
		quiet := c.quiet
		if quiet == nil {
			quiet = rules.Alerts()
		}
		for _, q := range quiet {
			if _, ok := byName[q]; !ok {
				byName[q] = []expAlert{}
			}
		}
		names := sortedKeys(byName)
		for _, n := range names {
			t.AlertRuleTests = append(t.AlertRuleTests, alertRuleTest{EvalTime: model.Duration(c.at), Alertname: n, ExpAlerts: byName[n]})
		}
	}
	return t, nil
}

// promTestFiles returns the promtool test files by file name.
func promTestFiles(cfg Config) map[string]promTestFile {
	rules := cfg.PrometheusRules()
	files := map[string]promTestFile{}
	for name, scenarios := range scenarios(cfg) {
		f := promTestFile{RuleFiles: []string{"../voicewatch.rules.yml"}, EvaluationInterval: model.Duration(time.Minute)}
		for _, s := range scenarios {
			t, err := s.build(cfg, rules)
			if err != nil {
				// Surfaces as a stale golden file and a promtool failure.
				t = promTest{Name: "BROKEN: " + err.Error()}
			}
			f.Tests = append(f.Tests, t)
		}
		files[name] = f
	}
	return files
}

// alertsIn lists the alert names a set of scenarios expects to fire.
func alertsIn(all map[string][]scenario) []string {
	seen := map[string]bool{}
	for _, ss := range all {
		for _, s := range ss {
			for _, c := range s.checks {
				for _, f := range c.firing {
					seen[f.alert+"/"+f.severity] = true
				}
			}
		}
	}
	out := sortedKeys(seen)
	sort.Strings(out)
	return out
}
