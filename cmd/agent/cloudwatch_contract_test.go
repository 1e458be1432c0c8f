//go:build !sidecaronly

package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/alerts"
	"github.com/voicewatch/voicewatch/dashboards"
	"github.com/voicewatch/voicewatch/exporter/cloudwatch/catalog"
	"github.com/voicewatch/voicewatch/internal/awstest"
	"github.com/voicewatch/voicewatch/internal/cwcontract"
	"github.com/voicewatch/voicewatch/internal/slo"
)

// callsDone reports whether the demo placed its last synthetic call.
func (d *demoRun) callsDone() bool { return strings.Contains(d.stdout.String(), "call 4 ") }

// observations returns a function giving the _count of a histogram on the
// demo's media core's /metrics, read once (the media core rate-limits a
// client that polls it many times a second).
func (d *demoRun) observations(t *testing.T) func(name string) float64 {
	t.Helper()
	var body []byte
	base := d.waitOutput(`metrics\s+(http://127\.0\.0\.1:\d+/metrics)`, 30*time.Second)
	return func(name string) float64 {
		if body == nil {
			resp, err := http.Get(base)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if body, err = io.ReadAll(resp.Body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %s: %s", base, resp.Status, body)
			}
		}
		m := regexp.MustCompile(`(?m)^` + name + `_count(?:\{[^}]*\})? (\S+)$`).FindSubmatch(body)
		if m == nil {
			t.Fatalf("%s_count not on %s", name, base)
		}
		v, err := strconv.ParseFloat(string(m[1]), 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// contractReads returns what the alarms and the dashboard generated for
// service and environment read in our namespace.
func contractReads(t *testing.T, service, environment string) []cwcontract.Read {
	t.Helper()
	acfg, err := alerts.New(alerts.Config{CloudWatch: alerts.CloudWatchConfig{CloudWatch: slo.CloudWatch{Service: service, Environment: environment}}})
	if err != nil {
		t.Fatal(err)
	}
	defs, err := acfg.CloudWatchDefinitions()
	if err != nil {
		t.Fatal(err)
	}
	ns := acfg.CloudWatch.Namespace
	reads := cwcontract.AlarmReads(defs, ns)
	if len(reads) < 6 { // 3 probe alarms + 3 queries of the connection success alarm
		t.Fatalf("only %d alarm reads in %s", len(reads), ns)
	}
	g, err := dashboards.New(dashboards.Config{CloudWatch: dashboards.CloudWatchConfig{CloudWatch: slo.CloudWatch{Service: service, Environment: environment}}})
	if err != nil {
		t.Fatal(err)
	}
	body, err := g.CloudWatchBody()
	if err != nil {
		t.Fatal(err)
	}
	dash, err := cwcontract.DashboardReads(body, ns)
	if err != nil {
		t.Fatal(err)
	}
	if len(dash) < 20 {
		t.Fatalf("only %d dashboard reads in %s", len(dash), ns)
	}
	return append(reads, dash...)
}

// waitContract collects what is published until every read finds data
// under CloudWatch's exact-match rule, or fails after d listing the reads
// that find none.
//
// One exception, checked rather than assumed: a histogram read finds no
// data when the histogram had no observation in the whole run (the media
// core's _count is 0 at the end): there was nothing to publish, and
// CloudWatch has no datum for "no observation".
func waitContract(t *testing.T, d *demoRun, reads []cwcontract.Read, wait time.Duration, published func() cwcontract.Published) cwcontract.Published {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		pub := published()
		var missing []cwcontract.Read
		var count func(string) float64
		for _, r := range pub.Missing(reads) {
			if count == nil && d.callsDone() {
				count = d.observations(t)
			}
			if m, ok := catalog.Lookup(r.Metric.Name); ok && m.Kind == catalog.Histogram && count != nil && count(m.Name) == 0 {
				t.Logf("%s: the run made no observation of %s, so there is nothing to publish", r, m.Name)
				continue
			}
			missing = append(missing, r)
		}
		if len(missing) == 0 {
			return pub
		}
		if time.Now().After(deadline) {
			var have []string
			for k := range pub {
				have = append(have, k)
			}
			for _, m := range missing {
				t.Errorf("no data for %s", m)
			}
			t.Fatalf("%d of %d reads find no data; published:\n%s", len(missing), len(reads), strings.Join(have, "\n"))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func emfPublished(t *testing.T, path string) func() cwcontract.Published {
	return func() cwcontract.Published {
		pub := cwcontract.Published{}
		b, err := os.ReadFile(path)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			b = b[:i+1] // a line being written
		} else {
			b = nil
		}
		if err := pub.AddEMF(bytes.NewReader(b)); err != nil {
			t.Fatal(err)
		}
		return pub
	}
}

// checkNoRuntimeMetrics fails when a go_* or process_* metric (or anything
// else outside what the catalogue publishes) was published.
func checkOnlyCatalogue(t *testing.T, pub cwcontract.Published) {
	t.Helper()
	for k, s := range pub {
		if strings.HasPrefix(s.Name, "go_") || strings.HasPrefix(s.Name, "process_") {
			t.Errorf("published %s: runtime metrics are not in the catalogue and were not included", k)
		}
	}
}

// TestCloudWatchContract runs the demo, and `agent sidecar` with each
// shipped configuration against the demo's media core, captures what each
// publishes (EMF lines; PutMetricData through the CloudWatch test server)
// and checks with CloudWatch's exact-match rule (namespace + name + exact
// dimension set) that every metric the alarms read (each query of a
// metric-math alarm too) and every metric and SEARCH of the dashboard in
// our namespace has data, when both are generated for the Service and
// Environment the configuration publishes.
func TestCloudWatchContract(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo and the sidecar")
	}
	t.Run("demo", func(t *testing.T) {
		emf := filepath.Join(t.TempDir(), "emf.log")
		d := startDemo(t, "--call-interval", "300ms", "--calls", "4", "--emf-path", emf)
		d.waitOutput(`(sidecar)\s+http://`, 30*time.Second)
		pub := waitContract(t, d, contractReads(t, demoService, demoEnvironment), time.Minute, emfPublished(t, emf))
		checkOnlyCatalogue(t, pub)
	})
	t.Run("deploy/sidecar.yaml", func(t *testing.T) {
		d := startDemo(t, "--call-interval", "300ms", "--calls", "4", "--sidecar-listen", "")
		cw := awstest.NewCloudWatch(t)
		cfg := shippedConfig(t, d, "../../deploy/sidecar.yaml", nil)
		for k, v := range map[string]string{
			"VOICEWATCH_CLOUDWATCH_MODE": "api", "VOICEWATCH_CLOUDWATCH_ENDPOINT": cw.URL, "VOICEWATCH_ENVIRONMENT": "production",
			"VOICEWATCH_WHIP_TOKEN": "not-checked-by-the-demo", "TURN_SHARED_SECRET": "not-the-demos-secret",
			"AWS_ACCESS_KEY_ID": "AKIDCONTRACT", "AWS_SECRET_ACCESS_KEY": "contract-test", "AWS_REGION": "us-east-1",
			"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
		} {
			t.Setenv(k, v)
		}
		runSidecarUntilCleanup(t, cfg)
		pub := waitContract(t, d, contractReads(t, "voicewatch", "production"), time.Minute, func() cwcontract.Published {
			pub := cwcontract.Published{}
			for _, c := range cw.PutMetricDataCalls() {
				pub.AddDatums(c.Namespace, c.Datums)
			}
			return pub
		})
		checkOnlyCatalogue(t, pub)
	})
	t.Run("deploy/sidecar.yaml emf", func(t *testing.T) {
		d := startDemo(t, "--call-interval", "300ms", "--calls", "4", "--sidecar-listen", "")
		emf := filepath.Join(t.TempDir(), "emf.log")
		cfg := shippedConfig(t, d, "../../deploy/sidecar.yaml", map[string]string{"/var/lib/voicewatch/emf/voicewatch-emf.log": emf})
		for k, v := range map[string]string{
			"VOICEWATCH_CLOUDWATCH_MODE": "emf", "VOICEWATCH_CLOUDWATCH_ENDPOINT": "", "VOICEWATCH_ENVIRONMENT": "compose",
			"VOICEWATCH_WHIP_TOKEN": "not-checked-by-the-demo", "TURN_SHARED_SECRET": "not-the-demos-secret",
		} {
			t.Setenv(k, v)
		}
		runSidecarUntilCleanup(t, cfg)
		pub := waitContract(t, d, contractReads(t, "voicewatch", "compose"), time.Minute, emfPublished(t, emf))
		checkOnlyCatalogue(t, pub)
	})
	t.Run("docs/examples/sidecar.yaml", func(t *testing.T) {
		d := startDemo(t, "--call-interval", "300ms", "--calls", "4", "--sidecar-listen", "")
		dir := t.TempDir()
		emf := filepath.Join(dir, "emf.log")
		cfg := shippedConfig(t, d, "../../docs/examples/sidecar.yaml", map[string]string{
			"/tmp/voicewatch-emf.log": emf, "/var/log/voice/app.log": filepath.Join(dir, "app.log"),
		})
		t.Setenv("TURN_SECRET", "not-the-demos-secret")
		t.Setenv("VOICEWATCH_WHIP_TOKEN", "not-checked-by-the-demo")
		runSidecarUntilCleanup(t, cfg)
		pub := waitContract(t, d, contractReads(t, "voice-bot", "staging"), time.Minute, emfPublished(t, emf))
		checkOnlyCatalogue(t, pub)
	})
}

// shippedConfig copies a shipped sidecar configuration with its addresses
// pointed at the demo (the demo's ports are picked at start) and its
// export interval shortened to 2s; the cloudwatch section, which is the
// contract under test, is left as it is. extra replaces further literals.
func shippedConfig(t *testing.T, d *demoRun, path string, extra map[string]string) string {
	t.Helper()
	base := "http://" + d.waitOutput(`test page\s+http://(127\.0\.0\.1:\d+)/`, 30*time.Second)
	turn := d.waitOutput(`STUN/TURN\s+stun:(127\.0\.0\.1:\d+)`, 30*time.Second)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for old, repl := range map[string]string{
		"${VOICEWATCH_VOICE_METRICS_URL}": base + "/metrics", "${VOICEWATCH_VOICE_URL}": base,
		"${VOICEWATCH_STUN_URL}": "stun:" + turn, "${VOICEWATCH_TURN_URL}": "turn:" + turn + "?transport=udp",
		"http://127.0.0.1:8080": base, "127.0.0.1:3478": turn,
		"export_interval: 60s": "export_interval: 2s",
	} {
		s = strings.ReplaceAll(s, old, repl)
	}
	for old, repl := range extra {
		s = strings.ReplaceAll(s, old, repl)
	}
	if !strings.Contains(s, "export_interval: 2s") {
		t.Fatalf("%s: no export_interval: 60s to shorten", path)
	}
	out := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(out, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

// runSidecarUntilCleanup runs `agent sidecar --config cfg` in process.
func runSidecarUntilCleanup(t *testing.T, cfg string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var stdout, stderr lockedBuffer
	go func() {
		done <- run(ctx, []string{"sidecar", "--config", cfg, "--listen", "127.0.0.1:0", "--log-level", "warn"}, nil, &stdout, &stderr)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("agent sidecar: %v\n%s", err, stderr.String())
		}
	})
}
