//go:build !sidecaronly

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"
	"gopkg.in/yaml.v3"

	"github.com/voicewatch/voicewatch/alerts"
)

// demoTimeScale divides every alert window and `for` with --prometheus, so
// a fault pages within seconds (ProbeSTUNFailing's 3m becomes 3s).
const demoTimeScale = 60

// errNoPrometheus: --prometheus without the binaries.
var errNoPrometheus = errors.New("--prometheus needs prometheus and alertmanager on PATH (Debian: apt-get install prometheus prometheus-alertmanager)")

// promStack is Prometheus and Alertmanager started by agent demo
// --prometheus with the generated rules and routes, paging into the
// terminal through an in-process webhook receiver.
type promStack struct {
	promURL, amURL string
}

// lookAlertmanager finds Alertmanager under either of its names.
func lookAlertmanager() (string, error) {
	for _, n := range []string{"alertmanager", "prometheus-alertmanager"} {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", errNoPrometheus
}

// startPromStack starts the receiver, Alertmanager and Prometheus under g.
// mediaAddr and sidecarAddr are host:port of the scrape targets; pages and
// tickets are printed to out.
func startPromStack(ctx context.Context, g *errgroup.Group, dir, mediaAddr, sidecarAddr string, out io.Writer) (*promStack, error) {
	promBin, err := exec.LookPath("prometheus")
	if err != nil {
		return nil, errNoPrometheus
	}
	amBin, err := lookAlertmanager()
	if err != nil {
		return nil, err
	}
	// The 30m window of VoiceDirectMediaLost is 30 s here, which holds
	// about three of the synthetic caller's calls while the media path is
	// slow (udp-blocked): the default of 5 would flap.
	cfg, err := alerts.New(alerts.Config{RelayOnlyMinCalls: 2}, alerts.WithTimeScale(demoTimeScale))
	if err != nil {
		return nil, err
	}
	rules, err := cfg.PrometheusRules().Marshal()
	if err != nil {
		return nil, err
	}
	amCfg, err := cfg.AlertmanagerConfig()
	if err != nil {
		return nil, err
	}
	// The receiver: every notification becomes one line in the terminal.
	rln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	recv := alerts.NewReceiver(io.Discard, alerts.ReceiverConfig{}, alerts.WithNotifyFunc(func(n alerts.ReceivedNotification) {
		fmt.Fprint(out, pageLines(n))
	}))
	g.Go(func() error { return recv.Serve(ctx, rln) })
	amYAML, err := demoAlertmanagerYAML(amCfg, "http://"+rln.Addr().String())
	if err != nil {
		return nil, err
	}
	amAddr, err := freePort()
	if err != nil {
		return nil, err
	}
	promAddr, err := freePort()
	if err != nil {
		return nil, err
	}
	dir = filepath.Join(dir, "prometheus-stack")
	files := map[string][]byte{"voicewatch.rules.yml": rules, "alertmanager.yml": amYAML,
		"prometheus.yml": cfg.PrometheusYAML(alerts.PrometheusSetup{Interval: time.Second, RuleFiles: []string{filepath.Join(dir, "voicewatch.rules.yml")},
			Alertmanager: amAddr, Voice: mediaAddr, Sidecar: sidecarAddr, Labels: map[string]string{"service": "voicewatch", "environment": "demo"}})}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return nil, err
		}
	}
	s := &promStack{promURL: "http://" + promAddr, amURL: "http://" + amAddr}
	startProc(ctx, g, amBin, "--config.file="+filepath.Join(dir, "alertmanager.yml"), "--storage.path="+filepath.Join(dir, "am"),
		"--web.listen-address="+amAddr, "--cluster.listen-address=", "--log.level=error")
	startProc(ctx, g, promBin, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+promAddr, "--log.level=error", "--rules.alert.resend-delay=1s")
	return s, nil
}

// startProc runs a child process under g; cancelling ctx sends SIGTERM.
func startProc(ctx context.Context, g *errgroup.Group, bin string, args ...string) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	cmd.Stderr = os.Stderr
	g.Go(func() error {
		err := cmd.Run()
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("%s exited: %v", filepath.Base(bin), err)
	})
}

// demoAlertmanagerYAML keeps the generated routing tree and inhibitions
// and points every receiver at the demo's webhook (URL/<receiver>), with
// the group timers shortened to match the time scale.
func demoAlertmanagerYAML(generated []byte, url string) ([]byte, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(generated, &doc); err != nil {
		return nil, fmt.Errorf("generated alertmanager config: %w", err)
	}
	recvs, _ := doc["receivers"].([]any)
	var out []any
	for _, r := range recvs {
		m, _ := r.(map[string]any)
		name, _ := m["name"].(string)
		out = append(out, map[string]any{"name": name, "webhook_configs": []any{map[string]any{"url": url + "/" + name, "send_resolved": true}}})
	}
	doc["receivers"] = out
	if route, ok := doc["route"].(map[string]any); ok {
		route["group_wait"], route["group_interval"] = "1s", "2s"
	}
	delete(doc, "global")
	return yaml.Marshal(doc)
}

// pageLines renders a notification for the terminal: one line per alert.
func pageLines(n alerts.ReceivedNotification) string {
	var b strings.Builder
	kind := strings.ToUpper(n.Receiver)
	for _, a := range n.Notification.Alerts {
		fmt.Fprintf(&b, "%s %s %s: %s\n        runbook: %s\n", time.Now().Format("15:04:05"), kind, strings.ToUpper(a.Status)+" "+a.Labels["alertname"],
			a.Annotations["summary"], a.Annotations["runbook_url"])
	}
	return b.String()
}

// freePort returns a free loopback host:port.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
