package dashtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Target is one scrape target of the test Prometheus.
type Target struct {
	// Job is the job label, e.g. "voice" or "voicewatch-sidecar".
	Job string
	// Addr is host:port on 127.0.0.1; /metrics is scraped.
	Addr string
	// Labels are extra target labels, e.g. environment and service.
	Labels map[string]string
}

// Prometheus is a running Prometheus server.
type Prometheus struct {
	// URL is the base URL, e.g. http://127.0.0.1:41234.
	URL     string
	targets int
	client  *http.Client
}

// ScrapeInterval is the scrape interval of the test Prometheus.
const ScrapeInterval = time.Second

// StartPrometheus starts /usr/bin/prometheus on a free 127.0.0.1 port with a
// generated config and a temporary storage directory, scraping targets every
// second. It is stopped when the test ends. Without the binary the test is
// skipped, or fails when CI=true.
func StartPrometheus(t testing.TB, targets ...Target) *Prometheus {
	t.Helper()
	bin := findPrometheus(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(scrapeConfig(targets)), 0o644); err != nil {
		t.Fatalf("write prometheus config: %v", err)
	}
	addr := freeAddr(t)
	var logs lockedBuffer
	cmd := exec.Command(bin,
		"--config.file="+cfgPath,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
		"--log.level=warn",
	)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start prometheus: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("prometheus output:\n%s", logs.String())
		}
	})
	p := &Prometheus{URL: "http://" + addr, targets: len(targets), client: &http.Client{Timeout: 10 * time.Second}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.waitReady(ctx, exited); err != nil {
		t.Fatalf("prometheus did not become ready: %v\n%s", err, logs.String())
	}
	return p
}

func findPrometheus(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		if _, serr := os.Stat("/usr/bin/prometheus"); serr == nil {
			return "/usr/bin/prometheus"
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("prometheus binary not found (install the Debian package prometheus): %v", err)
		}
		t.Skipf("prometheus binary not found (install the Debian package prometheus): %v", err)
	}
	return bin
}

func scrapeConfig(targets []Target) string {
	var b strings.Builder
	fmt.Fprintf(&b, "global:\n  scrape_interval: %s\n  scrape_timeout: %s\n  evaluation_interval: %s\nscrape_configs:\n",
		ScrapeInterval, ScrapeInterval, ScrapeInterval)
	for i, tg := range targets {
		fmt.Fprintf(&b, "  - job_name: %q\n    static_configs:\n      - targets: [%q]\n", fmt.Sprintf("%s-%d", tg.Job, i), tg.Addr)
		fmt.Fprintf(&b, "        labels:\n          %s: %q\n", "job", tg.Job)
		for k, v := range tg.Labels {
			fmt.Fprintf(&b, "          %s: %q\n", k, v)
		}
	}
	return b.String()
}

// freeAddr returns a 127.0.0.1 address that was free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

func (p *Prometheus) waitReady(ctx context.Context, exited <-chan error) error {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/-/ready", nil)
		if resp, err := p.client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-exited:
			return fmt.Errorf("prometheus exited: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// WaitScraped waits until every target has been scraped successfully at
// least samples times, so rate() over the scraped counters has data.
func (p *Prometheus) WaitScraped(t testing.TB, samples int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	expr := fmt.Sprintf(`count(count_over_time(up[5m]) >= %d and max_over_time(up[5m]) == 1)`, samples)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	var last string
	for {
		res, err := p.Query(ctx, expr)
		if err == nil && len(res) == 1 && res[0].Value == strconv.Itoa(p.targets) {
			return
		}
		last = fmt.Sprintf("%v %v", res, err)
		select {
		case <-ctx.Done():
			t.Fatalf("targets not scraped %d times: last answer %s", samples, last)
		case <-tick.C:
		}
	}
}

// Sample is one series of an instant query result.
type Sample struct {
	Metric map[string]string
	Value  string
}

// Attach returns a Prometheus for a server started elsewhere (for example
// by an end-to-end test with its own rules and Alertmanager), so its
// queries go through the same client as StartPrometheus's.
func Attach(baseURL string) *Prometheus {
	return &Prometheus{URL: strings.TrimSuffix(baseURL, "/"), client: &http.Client{Timeout: 30 * time.Second}}
}

// QueryError is an error answer of the Prometheus HTTP API.
type QueryError struct {
	Type, Message string
}

func (e *QueryError) Error() string { return e.Type + ": " + e.Message }

// Query runs an instant query through /api/v1/query. Scalars and strings
// come back as one sample without labels.
func (p *Prometheus) Query(ctx context.Context, expr string) ([]Sample, error) {
	form := url.Values{"query": {expr}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL+"/api/v1/query", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Status    string `json:"status"`
		ErrorType string `json:"errorType"`
		Error     string `json:"error"`
		Data      struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("decode answer (HTTP %d): %w", resp.StatusCode, err)
	}
	if body.Status != "success" {
		return nil, &QueryError{Type: body.ErrorType, Message: body.Error}
	}
	switch body.Data.ResultType {
	case "vector":
		var v []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		}
		if err := json.Unmarshal(body.Data.Result, &v); err != nil {
			return nil, err
		}
		out := make([]Sample, 0, len(v))
		for _, s := range v {
			out = append(out, Sample{Metric: s.Metric, Value: fmt.Sprint(s.Value[1])})
		}
		return out, nil
	case "scalar", "string":
		var v [2]any
		if err := json.Unmarshal(body.Data.Result, &v); err != nil {
			return nil, err
		}
		return []Sample{{Value: fmt.Sprint(v[1])}}, nil
	default: // matrix: only for range-vector selectors, which panels never use
		var m []json.RawMessage
		if err := json.Unmarshal(body.Data.Result, &m); err != nil {
			return nil, err
		}
		return make([]Sample, len(m)), nil
	}
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
