package logs

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/voicewatch/voicewatch/exporter/sidecarmetrics"
	"gopkg.in/yaml.v3"
)

// exposition renders a collector in the Prometheus text format.
func exposition(t *testing.T, c prometheus.Collector) []byte {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	enc := expfmt.NewEncoder(&b, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// TestPipelineMetricsGolden follows the four corpus files and the media
// log on stdin, then compares the derived metrics with a golden exposition.
func TestPipelineMetricsGolden(t *testing.T) {
	var want int
	var srcs []SourceConfig
	for _, f := range []string{"voicebot", "alb", "access", "media"} {
		for _, l := range readLines(t, filepath.Join("testdata", "corpus", f+".labels")) {
			if l != "header" { // header lines are not counted
				want++
			}
		}
		srcs = append(srcs, SourceConfig{Path: corpus(f), PollInterval: time.Millisecond, FromStart: true})
	}
	stdin, err := os.ReadFile(corpus("media"))
	if err != nil {
		t.Fatal(err)
	}
	want += len(readLines(t, corpus("media")))
	srcs = append(srcs, SourceConfig{Path: "-", Format: "json"})
	p, err := New(Config{Sources: srcs}, WithStdin(bytes.NewReader(stdin)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for int(sumLines(p)) < want {
		if time.Now().After(deadline) {
			t.Fatalf("lines = %v, want %d", sumLines(p), want)
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "metrics.prom", exposition(t, p))
}

func sumLines(p *Pipeline) float64 {
	var n float64
	for _, c := range []Class{ClassLegitimate, ClassScanner, ClassUnparsable} {
		n += value(p.metrics.lines.WithLabelValues(c.String()))
	}
	return n
}

// value reads one counter.
func value(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}

// seriesCount counts the series of one metric family in c.
func seriesCount(t *testing.T, c prometheus.Collector, name string) int {
	t.Helper()
	ch := make(chan prometheus.Metric, 1000)
	c.Collect(ch)
	close(ch)
	n := 0
	for m := range ch {
		if strings.Contains(m.Desc().String(), `fqName: "`+name+`"`) {
			n++
		}
	}
	return n
}

// TestMetricsLabelLimit: an attacker-controlled label (here, rule names
// stand in for any event name) cannot grow a metric beyond its limit.
func TestMetricsLabelLimit(t *testing.T) {
	m := NewMetrics(MetricsConfig{MaxLabelValues: 3})
	for i := range 10 {
		e := Entry{Kind: KindInfo, Class: ClassLegitimate, Event: strings.Repeat("e", i+1)}
		m.Observe(&e)
	}
	if n := seriesCount(t, m, sidecarmetrics.MetricLogEvents); n != 4 {
		t.Errorf("%s has %d series, want 3 + other", sidecarmetrics.MetricLogEvents, n)
	}
	if got := value(m.events.WithLabelValues(OtherLabelValue)); got != 7 {
		t.Errorf("other = %v, want 7", got)
	}
	if got := value(m.dropped.WithLabelValues(sidecarmetrics.MetricLogEvents)); got != 7 {
		t.Errorf("%s{metric=%q} = %v, want 7", sidecarmetrics.MetricSeriesDropped, sidecarmetrics.MetricLogEvents, got)
	}
}

// TestMetricsOverflowCallback: with OnOverflow the drops go to the caller
// (the sidecar's guard owns voicewatch_series_dropped_total) and Metrics
// does not export that family, so both can share one registry.
func TestMetricsOverflowCallback(t *testing.T) {
	got := map[string]int{}
	m := NewMetrics(MetricsConfig{MaxLabelValues: 2, OnOverflow: func(metric string) { got[metric]++ }})
	for _, ev := range []string{"a", "b", "c", "d"} {
		e := Entry{Kind: KindInfo, Class: ClassLegitimate, Event: ev}
		m.Observe(&e)
	}
	if len(got) != 1 || got[sidecarmetrics.MetricLogEvents] != 2 {
		t.Errorf("overflow calls = %v, want only 2 for %s (pre-initialisation is not a drop)", got, sidecarmetrics.MetricLogEvents)
	}
	if n := seriesCount(t, m, sidecarmetrics.MetricSeriesDropped); n != 0 {
		t.Errorf("%s exported (%d series) although OnOverflow is set", sidecarmetrics.MetricSeriesDropped, n)
	}
}

// TestMetricsScannerIsNotAnError: a scanner 404 and 500 count as scanner
// requests only; a legitimate 502 is an error.
func TestMetricsScannerIsNotAnError(t *testing.T) {
	m := NewMetrics(MetricsConfig{})
	c := NewClassifier(CLFParser{}, nil, nil)
	for _, line := range []string{
		`10.0.1.23 - - [25/Nov/2026:10:00:00 +0000] "GET /console/css/%252e%252e%252fconsole.portal HTTP/1.1" 404 0 "-" "-" "198.51.100.7"`,
		`10.0.1.23 - - [25/Nov/2026:10:00:00 +0000] "GET /.env HTTP/1.1" 500 0 "-" "-" "198.51.100.7"`,
		`10.0.1.23 - - [25/Nov/2026:10:00:01 +0000] "POST /whip HTTP/1.1" 502 0 "-" "-" "192.0.2.1"`,
	} {
		var e Entry
		c.Classify([]byte(line), &e)
		m.Observe(&e)
	}
	if got := value(m.errors.WithLabelValues("http_5xx")); got != 1 {
		t.Errorf("errors{kind=http_5xx} = %v, want 1", got)
	}
	if got := value(m.requests.WithLabelValues("scanner", "5xx")); got != 1 {
		t.Errorf("requests{scanner,5xx} = %v, want 1", got)
	}
}

func TestNewRejectsInvalidConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{name: "no sources", cfg: Config{}, want: "logs.sources is empty"},
		{name: "no path", cfg: Config{Sources: []SourceConfig{{}}}, want: "path is required"},
		{name: "bad format", cfg: Config{Sources: []SourceConfig{{Path: "a", Format: "xml"}}}, want: "auto|alb|clf|json"},
		{name: "bad proxy", cfg: Config{Sources: []SourceConfig{{Path: "a"}}, TrustedProxies: []string{"10.0.0.1"}}, want: "not a CIDR"},
		{name: "stdin unavailable", cfg: Config{Sources: []SourceConfig{{Path: "-"}}}, want: "stdin"},
		{name: "bad route", cfg: Config{Sources: []SourceConfig{{Path: "a"}}, Routes: []string{"/", "whip"}}, want: `logs.routes: routes[1] "whip": must start with /`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New = %v, want ErrInvalidConfig mentioning %q", err, tc.want)
			}
		})
	}
}

func TestPipelineFollowsAppendedLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bot.log")
	if err := os.WriteFile(path, []byte("INFO:bot:Session created: old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := New(Config{Sources: []SourceConfig{{Path: path, Format: "rules:python-voicebot", PollInterval: time.Millisecond}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// The tailer starts at the end: keep appending until it counts one; the
	// pre-existing line must never be counted.
	deadline := time.Now().Add(10 * time.Second)
	for value(p.metrics.started) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("appended session never counted")
		}
		if _, err := f.WriteString("INFO:bot:Session created: new\n"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got, lines := value(p.metrics.started), sumLines(p); got != lines {
		t.Errorf("sessions started %v != lines %v: the old line was counted or lines were misread", got, lines)
	}
}

// TestPipelineRoutes: with logs.routes, a request for a path the
// application does not serve is counted as scanner traffic (unknown_route)
// and its 404 is not an error; a served path stays legitimate.
func TestPipelineRoutes(t *testing.T) {
	lines := `10.0.1.23 - - [25/Nov/2026:10:00:53 +0000] "GET /api/internal/export HTTP/1.1" 404 150 "-" "Mozilla/5.0" "198.51.100.23"
10.0.1.23 - - [25/Nov/2026:10:00:54 +0000] "GET /health HTTP/1.1" 200 2 "-" "ELB-HealthChecker/2.0" "-"
10.0.1.23 - - [25/Nov/2026:10:00:55 +0000] "GET /robots.txt HTTP/1.1" 404 2 "-" "Googlebot/2.1" "192.0.2.9"
`
	p, err := New(Config{Sources: []SourceConfig{{Path: "-", Format: "clf"}}, Routes: []string{"/", "/health", "/ws"}},
		WithStdin(strings.NewReader(lines)))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := value(p.metrics.scanner.WithLabelValues("unknown_route")); got != 1 {
		t.Errorf("unknown_route = %v, want 1", got)
	}
	if got := value(p.metrics.lines.WithLabelValues("legitimate")); got != 2 {
		t.Errorf("legitimate lines = %v, want 2 (the health check and the robots.txt reader)", got)
	}
	if n := seriesCount(t, p.metrics.errors, "voicewatch_log_errors_total"); n != 0 {
		t.Errorf("%d error series, want none", n)
	}
}

// TestTrustedProxiesUnsetVersusEmpty: an unset logs.trusted_proxies takes
// the private ranges, an explicit empty list trusts no proxy; WithDefaults
// keeps the difference.
func TestTrustedProxiesUnsetVersusEmpty(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       int
	}{
		{"unset", "sources: [{path: x}]\n", len(DefaultTrustedProxies)},
		{"empty", "sources: [{path: x}]\ntrusted_proxies: []\n", 0},
		{"one", "sources: [{path: x}]\ntrusted_proxies: [10.1.0.0/16]\n", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c Config
			if err := yaml.Unmarshal([]byte(tc.yaml), &c); err != nil {
				t.Fatal(err)
			}
			c = c.WithDefaults()
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			got, err := c.trusted()
			if err != nil || len(got) != tc.want {
				t.Errorf("trusted = %v, %v; want %d ranges", got, err, tc.want)
			}
		})
	}
}
