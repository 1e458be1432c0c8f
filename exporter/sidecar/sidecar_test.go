package sidecar

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/voicewatch/voicewatch/exporter/scrape"
	"github.com/voicewatch/voicewatch/internal/awstest"
	"github.com/voicewatch/voicewatch/internal/servetest"
	"github.com/voicewatch/voicewatch/internal/turnserver"
)

// running is a sidecar started by startSidecar.
type running struct {
	*Sidecar
	base string
	stop func() error // cancels Run and returns its error (the first time)
}

func startSidecar(t testing.TB, yaml string, opts ...Option) *running {
	t.Helper()
	cfg, err := ParseConfig(strings.NewReader(yaml), LoadOptions{Getenv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	// Scrapes happen when the test says so: the first scheduled one is a
	// whole interval away.
	opts = append([]Option{WithScrapeOptions(scrape.WithJitter(func(d time.Duration) time.Duration { return d }))}, opts...)
	s, err := New(cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	srv := servetest.Start(t, s.Run)
	select {
	case <-s.Started():
	case <-srv.Exited():
		t.Fatalf("Run: %v", srv.Stop())
	}
	return &running{Sidecar: s, base: srv.URL(), stop: srv.Stop}
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestBlackboxProbe(t *testing.T) {
	health := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok"))
	}))
	defer health.Close()
	ts, err := turnserver.Start(turnserver.Config{Listen: "127.0.0.1:0", NoTCP: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ts.Close()
	closed := health.URL + "/" // replaced by a closed port below
	{
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		closed = "http://" + ln.Addr().String() + "/"
		ln.Close()
	}
	sc := startSidecar(t, `
modules:
  http_2xx: {kind: http, timeout: 5s}
  stun_udp: {kind: stun, timeout: 5s, stun: {transports: [udp]}}
`)
	tests := []struct {
		name, module, target string
		status               int
		want                 []string
	}{
		{"http ok", "http_2xx", health.URL, 200, []string{
			fmt.Sprintf(`probe_success{kind="http",probe="http_2xx",target=%q} 1`, health.URL),
			`probe_duration_seconds{`,
		}},
		{"http down", "http_2xx", closed, 200, []string{
			fmt.Sprintf(`probe_success{kind="http",probe="http_2xx",target=%q} 0`, closed),
			`probe_failure_info{`,
		}},
		{"stun ok", "stun_udp", "stun:" + ts.UDPAddr().String(), 200, []string{
			`probe_success{kind="stun",probe="stun_udp",target="stun:` + ts.UDPAddr().String() + `"} 1`,
			`probe_phase_duration_seconds{`,
		}},
		{"unknown module", "icmp", health.URL, 400, []string{`unknown module "icmp"`, "http_2xx"}},
		{"missing target", "http_2xx", "", 400, []string{"target parameter is missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := url.Values{"module": {tt.module}}
			if tt.target != "" {
				q.Set("target", tt.target)
			}
			code, body := get(t, sc.base+"/probe?"+q.Encode())
			if code != tt.status {
				t.Fatalf("status %d, want %d: %s", code, tt.status, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q:\n%s", w, body)
				}
			}
		})
	}
	// Each /probe answer comes from a fresh registry: the hub holds no
	// probe series from them.
	_, metrics := get(t, sc.base+"/metrics")
	if strings.Contains(metrics, `probe="http_2xx"`) {
		t.Errorf("/probe results leaked into /metrics")
	}
}

// counterTarget serves one counter the test increments.
func counterTarget(t *testing.T) (prometheus.Counter, string) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "test_events_total", Help: "Events."})
	reg.MustRegister(c)
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(srv.Close)
	return c, srv.URL
}

func setAWSEnv(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
}

func deliveredSum(cw *awstest.CloudWatch, name string) (sum float64, n int) {
	for _, d := range cw.Datums() {
		if d.MetricName != nil && *d.MetricName == name && d.Value != nil {
			sum += *d.Value
			if *d.Value != 0 {
				n++
			}
		}
	}
	return sum, n
}

// The CloudWatch pipeline end to end: scrape → hub → bridge → exporter →
// PutMetricData (the real SDK client against the test server). An outage
// spanning a reload delivers every increment exactly once when CloudWatch
// answers again, and shutdown flushes the last collection.
func TestCloudWatchPipelineOutageReloadShutdown(t *testing.T) {
	setAWSEnv(t)
	cw := awstest.NewCloudWatch(t)
	events, target := counterTarget(t)
	conf := func(job string) string {
		return fmt.Sprintf(`
scrape:
  interval: 1h
  targets: [{name: app, url: %q, labels: {job: %s}}]
cloudwatch:
  mode: api
  endpoint: %q
  namespace: Test
  static_dimensions: {Service: test, Environment: test}
  include: [test_events_total]
  retry: {max_attempts: 1, initial_backoff: 1ms, max_backoff: 1ms}
export_interval: 1h
shutdown_grace: 20s
`, target, job, cw.URL)
	}
	sc := startSidecar(t, conf("app"))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	scrapeAndFlush := func() error {
		sc.gen.Load().scraper.ScrapeAll(ctx)
		return sc.Flush(ctx)
	}

	events.Add(100) // before the sidecar's first export: the baseline
	if err := scrapeAndFlush(); err != nil {
		t.Fatal(err)
	}
	cw.FailNext(1000, 503)
	events.Add(5)
	if err := scrapeAndFlush(); err == nil {
		t.Fatalf("flush during the outage reported success; requests %d datums %d", cw.TotalRequests(), len(cw.Datums()))
	}
	// SIGHUP during the outage: the exporter and its buffer stay.
	newCfg, err := ParseConfig(strings.NewReader(conf("app")), LoadOptions{Getenv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.Reload(ctx, newCfg); err != nil {
		t.Fatal(err)
	}
	events.Add(7)
	if err := scrapeAndFlush(); err == nil {
		t.Fatal("flush during the outage reported success")
	}
	if sum, _ := deliveredSum(cw, "test_events_total"); sum != 0 {
		t.Fatalf("delivered %v during the outage", sum)
	}
	cw.Clear()
	events.Add(3)
	if err := scrapeAndFlush(); err != nil {
		t.Fatal(err)
	}
	if sum, n := deliveredSum(cw, "test_events_total"); sum != 15 || n != 3 {
		t.Fatalf("after recovery: sum %v in %d datums, want 15 in 3 (5, 7, 3: each once)", sum, n)
	}
	// SIGTERM: Run's context ends; the last scraped increment is flushed.
	events.Add(4)
	sc.gen.Load().scraper.ScrapeAll(ctx)
	if err := sc.stop(); err != nil {
		t.Fatal(err)
	}
	if sum, n := deliveredSum(cw, "test_events_total"); sum != 19 || n != 4 {
		t.Fatalf("after shutdown: sum %v in %d datums, want 19 in 4", sum, n)
	}
}
