package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/voicewatch/voicewatch/alerts"
	"github.com/voicewatch/voicewatch/internal/awstest"
	"github.com/voicewatch/voicewatch/internal/chromiumtest"
	"github.com/voicewatch/voicewatch/internal/coturntest"
	"github.com/voicewatch/voicewatch/internal/elevenlabstest"
	"github.com/voicewatch/voicewatch/internal/netns"
	"github.com/voicewatch/voicewatch/internal/transcribetest"
)

// timeScale divides every alert window and `for` of the generated rules:
// the e2e test shortens time, not alert semantics (alerts/ proves the real
// windows with promtool). At 60, ProbeFor 3m is 3s and a 10m window 10s.
const timeScale = 60

// Binaries of the Debian packages the stack runs.
const (
	prometheusBin   = "/usr/bin/prometheus"
	alertmanagerBin = "/usr/bin/prometheus-alertmanager"
)

// Test-only credentials of the stack (never real secrets).
const (
	whipToken       = "e2e-whip-token-0123"
	turnSecret      = "e2e-turn-secret"
	elevenLabsKey   = "sk-e2e-elevenlabs"
	sidecarAWSKeyID = "AKIDE2ESIDECAR"
	sidecarAWSKey   = "e2e-sidecar-fake-secret"
)

// envBin passes the binaries built outside the namespace to the test inside.
const envBin = "VOICEWATCH_E2E_BIN"

// requireParts skips (or fails under CI=true) when a Debian part is missing.
func requireParts(t *testing.T, chromium bool) {
	t.Helper()
	for _, p := range []struct{ path, what string }{
		{coturntest.Binary, "coturn (Debian package coturn)"},
		{prometheusBin, "prometheus (Debian package prometheus)"},
		{alertmanagerBin, "alertmanager (Debian package prometheus-alertmanager)"},
	} {
		if _, err := os.Stat(p.path); err != nil {
			netns.Missing(t, p.what)
		}
	}
	if chromium && chromiumtest.Path() == "" {
		netns.Missing(t, "chromium (Debian package chromium)")
	}
}

// buildBinaries builds agent and probe once, before the namespace is
// entered, and passes their directory to the re-executed test.
func buildBinaries(t *testing.T) {
	t.Helper()
	if netns.Inside() {
		return
	}
	dir := t.TempDir()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	cmd := exec.Command("go", "build", "-o", dir+"/", "./cmd/agent", "./cmd/probe")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("built agent and probe in %s", time.Since(start).Round(time.Millisecond))
	t.Setenv(envBin, dir)
}

// stack is the running voicewatch stack.
type stack struct {
	t   *testing.T
	bin string
	dir string

	coturnPort, voicePort, metricsPort, sidecarPort, promPort, amPort int

	coturn, voice, sidecar, prom, am *proc
	stunRelay                        *udpRelay
	pager                            *pager
	transcribe                       *transcribetest.Server
	eleven                           *elevenlabstest.Server
	tts                              *ttsProxy
	cw                               *awstest.CloudWatch
	browser                          *browser
	promURL, amURL                   string
	voiceURL                         string
}

// startStack starts every part and waits until Prometheus scrapes both jobs.
func startStack(t *testing.T) *stack {
	t.Helper()
	s := &stack{t: t, bin: os.Getenv(envBin), dir: t.TempDir()}
	if s.bin == "" {
		t.Fatalf("%s is not set: the test must build the binaries before entering the namespace", envBin)
	}
	s.coturnPort, s.voicePort, s.metricsPort = coturntest.FreePort(t), coturntest.FreePort(t), coturntest.FreePort(t)
	s.sidecarPort, s.promPort, s.amPort = coturntest.FreePort(t), coturntest.FreePort(t), coturntest.FreePort(t)
	s.voiceURL = "http://" + addr(s.voicePort)

	// Provider and AWS test servers, in-process.
	s.transcribe = transcribetest.New(t)
	s.eleven = elevenlabstest.New(elevenlabstest.Config{APIKey: elevenLabsKey})
	t.Cleanup(s.eleven.Close)
	s.tts = startTTSProxy(t, s.eleven.URL())
	s.cw = awstest.NewCloudWatch(t)
	s.pager = startPager(t)

	s.startCoturn()
	s.stunRelay = startUDPRelay(t, addr(s.coturnPort))
	s.startVoice()
	s.startSidecar()
	s.startAlertmanager()
	s.startPrometheus()
	t.Logf("stack up: voice %s, sidecar %s, prometheus %s, alertmanager %s, coturn %s (STUN relay %s)",
		s.voiceURL, addr(s.sidecarPort), s.promURL, s.amURL, addr(s.coturnPort), s.stunRelay.addr)
	return s
}

func (s *stack) write(name, content string) string {
	p := filepath.Join(s.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		s.t.Fatal(err)
	}
	return p
}

func (s *stack) startCoturn() {
	t := s.t
	relayMin := 20000 + (s.coturnPort%100)*100
	args := []string{
		"-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1",
		fmt.Sprintf("--listening-port=%d", s.coturnPort),
		"--realm=voicewatch.e2e", "--use-auth-secret", "--static-auth-secret=" + turnSecret,
		"--no-tls", "--no-dtls", "--no-cli", "--allow-loopback-peers", "--fingerprint",
		fmt.Sprintf("--min-port=%d", relayMin), fmt.Sprintf("--max-port=%d", relayMin+99),
		"--userdb=" + filepath.Join(s.dir, "turndb"), "--pidfile=" + filepath.Join(s.dir, "turn.pid"),
		"--log-file=stdout", "--simple-log",
	}
	s.coturn = startProc(t, "coturn", coturntest.Binary, args, nil)
	s.waitCoturn(10 * time.Second)
}

func (s *stack) waitCoturn(within time.Duration) {
	eventually(s.t, within, "coturn answers STUN", func() bool {
		return coturntest.Binding(addr(s.coturnPort), 100*time.Millisecond) == nil
	})
}

const voiceYAML = `listen: 127.0.0.1:%d
metrics_listen: 127.0.0.1:%d
auth:
  tokens: ["${VOICEWATCH_WHIP_TOKEN}"]
max_sessions: 100
ice:
  servers:
    - urls: ["stun:%s"]
    - urls: ["turn:127.0.0.1:%d?transport=udp"]
      username: voicewatch
      secret: "${TURN_SHARED_SECRET}"
  include_loopback: true
  interfaces: [lo]
  gathering_timeout: 3s
  stun_gather_timeout: 1s
  relay_acceptance_min_wait: 0s
audio: {greeting: true, end_of_speech: 300ms}
store: {dir: %q}
http:
  trusted_proxies: [127.0.0.1/32]
  rate_per_second: 1000
  burst: 2000
providers:
  stt:
    type: transcribe
    transcribe: {endpoint: %q, region: us-east-1, connect_timeout: 1s, result_timeout: 1s, max_retries: -1}
  tts:
    type: elevenlabs
    elevenlabs:
      voice_id: voice-1
      base_url: %q
      api_key_env: ELEVENLABS_API_KEY
      voice_settings: {stability: 0.5, similarity_boost: 0.8}
      first_byte_timeout: 2s
`

func (s *stack) startVoice() {
	t := s.t
	cfg := s.write("voice.yaml", fmt.Sprintf(voiceYAML, s.voicePort, s.metricsPort, s.stunRelay.addr, s.coturnPort,
		filepath.Join(s.dir, "sessions"), s.transcribe.URL, s.tts.URL()))
	env := []string{
		"VOICEWATCH_WHIP_TOKEN=" + whipToken, "TURN_SHARED_SECRET=" + turnSecret,
		"ELEVENLABS_API_KEY=" + elevenLabsKey,
		"AWS_ACCESS_KEY_ID=" + transcribetest.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + transcribetest.SecretAccessKey,
		"AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	}
	s.voice = startProc(t, "voice", filepath.Join(s.bin, "agent"), []string{"voice", "--config", cfg}, env)
	s.waitVoice(15 * time.Second)
}

func (s *stack) waitVoice(within time.Duration) {
	eventually(s.t, within, "media core ready", func() bool {
		if err := s.voice.exitedEarly(); err != nil {
			s.t.Fatal(err)
		}
		return httpOK(s.voiceURL + "/-/ready")
	})
}

const sidecarYAML = `listen: 127.0.0.1:%d
scrape:
  interval: 1s
  timeout: 900ms
  targets:
    - name: voice
      url: http://127.0.0.1:%d/metrics
      labels: {job: voice, service: voicewatch}
probes:
  interval: 1s
  intervals: {webrtc: 2s}
  suite:
    defaults:
      timeout: 2s
    probes:
      - name: stun
        kind: stun
        target: stun:%s
        stun: {transports: [udp]}
      - name: turn
        kind: turn
        target: turn:127.0.0.1:%d?transport=udp
        turn: {secret: "${TURN_SHARED_SECRET}"}
      - name: health
        kind: http
        target: http://127.0.0.1:%d/-/healthy
      - name: webrtc
        kind: webrtc
        target: http://127.0.0.1:%d/whip
        timeout: 5s
        webrtc: {token: "${VOICEWATCH_WHIP_TOKEN}", loopback: true}
cloudwatch:
  mode: api
  endpoint: %s
  region: us-east-1
  namespace: VoiceWatch
  buffer_datums: %d
  retry: {max_attempts: 2, initial_backoff: 50ms, max_backoff: 200ms}
  static_dimensions: {Service: voicewatch, Environment: e2e}
logs:
  sources:
    - {path: %q, format: json}
export_interval: 1s
shutdown_grace: 5s
`

// cloudWatchBuffer is the sidecar's CloudWatch buffer in datums: several
// seconds of exports (the catalogue's about 80 datums a second with the
// media-quality metrics), so the 3 s throttle is absorbed with room to spare
// and an unending one drops within seconds.
const cloudWatchBuffer = 800

func (s *stack) startSidecar() {
	t := s.t
	cfg := s.write("sidecar.yaml", fmt.Sprintf(sidecarYAML, s.sidecarPort, s.metricsPort, s.stunRelay.addr,
		s.coturnPort, s.voicePort, s.voicePort, s.cw.URL, cloudWatchBuffer, s.voice.logPath()))
	env := []string{
		"VOICEWATCH_WHIP_TOKEN=" + whipToken, "TURN_SHARED_SECRET=" + turnSecret,
		"AWS_ACCESS_KEY_ID=" + sidecarAWSKeyID, "AWS_SECRET_ACCESS_KEY=" + sidecarAWSKey,
		"AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	}
	s.sidecar = startProc(t, "sidecar", filepath.Join(s.bin, "agent"), []string{"sidecar", "--config", cfg}, env)
	eventually(t, 15*time.Second, "sidecar ready", func() bool {
		if err := s.sidecar.exitedEarly(); err != nil {
			t.Fatal(err)
		}
		return httpOK("http://" + addr(s.sidecarPort) + "/-/ready")
	})
}

// alertmanagerConfig is deploy/alertmanager/alertmanager.yml (the generated
// routing tree and inhibitions) with the receiver URLs pointed at the
// test's pager and the group timers shortened.
func (s *stack) alertmanagerConfig() string {
	t := s.t
	b, err := os.ReadFile("../deploy/alertmanager/alertmanager.yml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(b), "http://alert-receiver:9095", s.pager.url)
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	route := doc["route"].(map[string]any)
	route["group_wait"], route["group_interval"] = "2s", "2s"
	out, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func (s *stack) startAlertmanager() {
	t := s.t
	cfg := s.write("alertmanager.yml", s.alertmanagerConfig())
	s.amURL = "http://" + addr(s.amPort)
	s.am = startProc(t, "alertmanager", alertmanagerBin, []string{
		"--config.file=" + cfg, "--storage.path=" + filepath.Join(s.dir, "am"),
		"--web.listen-address=" + addr(s.amPort), "--cluster.listen-address=", "--log.level=warn",
	}, nil)
	eventually(t, 20*time.Second, "alertmanager ready", func() bool {
		if err := s.am.exitedEarly(); err != nil {
			t.Fatal(err)
		}
		return httpOK(s.amURL + "/-/ready")
	})
}

// writePrometheusConfig writes the generated rules (at the e2e time scale)
// and a Prometheus configuration that scrapes the media core at voice and
// the sidecar at sidecar ("" leaves it out), and returns the configuration's
// path.
func (s *stack) writePrometheusConfig(voice, sidecar string) string {
	t := s.t
	cfg, err := alerts.New(alerts.Config{}, alerts.WithTimeScale(timeScale))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := cfg.PrometheusRules().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	rulesPath := s.write("voicewatch.rules.yml", string(rules))
	return s.write("prometheus.yml", string(cfg.PrometheusYAML(alerts.PrometheusSetup{Interval: time.Second, RuleFiles: []string{rulesPath},
		Alertmanager: addr(s.amPort), Voice: voice, Sidecar: sidecar,
		Labels: map[string]string{"service": "voicewatch", "environment": "e2e"}})))
}

func (s *stack) startPrometheus() {
	t := s.t
	path := s.writePrometheusConfig(addr(s.metricsPort), addr(s.sidecarPort))
	s.promURL = "http://" + addr(s.promPort)
	s.prom = startProc(t, "prometheus", prometheusBin, []string{
		"--config.file=" + path, "--storage.tsdb.path=" + filepath.Join(s.dir, "tsdb"),
		"--web.listen-address=" + addr(s.promPort), "--log.level=warn",
		"--rules.alert.resend-delay=1s",
	}, nil)
	eventually(t, 30*time.Second, "prometheus ready", func() bool {
		if err := s.prom.exitedEarly(); err != nil {
			t.Fatal(err)
		}
		return httpOK(s.promURL + "/-/ready")
	})
	eventually(t, 30*time.Second, "both jobs scraped", func() bool {
		v, err := s.value(`count(up{job=~"voice|voicewatch-sidecar"} == 1)`)
		return err == nil && v == 2
	})
}

// checkAlive fails the test when a process that should run has exited.
func (s *stack) checkAlive() {
	for _, p := range []*proc{s.coturn, s.voice, s.sidecar, s.prom, s.am} {
		if err := p.exitedEarly(); err != nil {
			s.t.Fatal(err)
		}
	}
}

func httpOK(url string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
