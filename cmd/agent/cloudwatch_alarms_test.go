package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/pion/webrtc/v4"

	"github.com/voicewatch/voicewatch/alerts"
	"github.com/voicewatch/voicewatch/exporter/sidecar"
	"github.com/voicewatch/voicewatch/internal/awstest"
	"github.com/voicewatch/voicewatch/internal/slo"
	"github.com/voicewatch/voicewatch/internal/turnserver"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
	"github.com/voicewatch/voicewatch/voice"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
)

// memTopics is an SNS stand-in for the applier (the alarms' notification
// target; SNS is not what this test is about).
type memTopics struct{ subs []alerts.Subscription }

func (m *memTopics) FindTopic(context.Context, string) (string, error) { return "", nil }
func (m *memTopics) CreateTopic(_ context.Context, name string) (string, error) {
	return "arn:aws:sns:us-east-1:123456789012:" + name, nil
}
func (m *memTopics) Subscriptions(context.Context, string) ([]alerts.Subscription, error) {
	return m.subs, nil
}
func (m *memTopics) Subscribe(_ context.Context, _ string, s alerts.Subscription) error {
	m.subs = append(m.subs, s)
	return nil
}

// exportsOf groups the stored datums by their timestamp: one group per
// export of the sidecar (a collection has one time).
func exportsOf(ds []awstest.Datum) map[time.Time][]awstest.Datum {
	out := map[time.Time][]awstest.Datum{}
	for _, d := range ds {
		out[d.Timestamp.Truncate(time.Millisecond)] = append(out[d.Timestamp.Truncate(time.Millisecond)], d)
	}
	return out
}

// timeline lays captured exports over n periods ending at end: the exports
// are split into n consecutive chunks in the order they were captured, and
// chunk i is re-timestamped into period i (the run is minutes compressed
// into seconds; each datum keeps its value and dimensions).
func timeline(exports [][]awstest.Datum, n int, period time.Duration, end time.Time) []awstest.Datum {
	var out []awstest.Datum
	start := end.Add(-time.Duration(n) * period)
	for i := range n {
		lo, hi := i*len(exports)/n, (i+1)*len(exports)/n
		for j, e := range exports[lo:hi] {
			at := start.Add(time.Duration(i)*period + time.Duration(j+1)*time.Second)
			for _, d := range e {
				d.Timestamp = aws.Time(at)
				out = append(out, d)
			}
		}
	}
	return out
}

// failingCall posts a WHIP offer that can never connect (no candidates)
// and walks away: the media core counts a connection timeout.
func failingCall(base string) error {
	pc, err := webrtc.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return err
	}
	defer pc.Close()
	if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio); err != nil {
		return err
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		return err
	}
	resp, err := http.Post(base+"/whip", "application/sdp", strings.NewReader(offer.SDP))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST /whip: %s", resp.Status)
	}
	return nil
}

// TestCloudWatchAlarmsEvaluate: the alarms, applied through the SDK to the
// CloudWatch test server, evaluated as CloudWatch documents it
// (awstest.EvaluateAlarm) over datapoints a real sidecar published with
// PutMetricData: during a healthy run every alarm is OK; with the probes'
// STUN/TURN server down and WebRTC connections timing out, the STUN, TURN
// and connection success alarms are in ALARM and the WebRTC probe alarm
// (whose call still works) is OK.
func TestCloudWatchAlarmsEvaluate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a media core, a TURN server and the sidecar")
	}
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "AKIDEVAL", "AWS_SECRET_ACCESS_KEY": "eval-test", "AWS_REGION": "us-east-1",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"} {
		t.Setenv(k, v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := slog.New(slog.DiscardHandler)

	ts, err := turnserver.Start(turnserver.Config{Listen: "127.0.0.1:0", Secret: "eval-secret", NoTCP: true})
	if err != nil {
		t.Fatal(err)
	}
	var closeTURN sync.Once
	defer closeTURN.Do(func() { ts.Close() })
	turnAddr := ts.UDPAddr().String()

	var cfg voice.Config
	cfg.Listen = "127.0.0.1:0"
	cfg.Auth.InsecureNoAuth = true
	cfg.Store.Dir = t.TempDir()
	cfg.ICE.IncludeLoopback = true
	cfg.ICE.IPs = []string{"127.0.0.0/8"}
	cfg.ICE.ConnectTimeout = time.Second
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	var vlog lockedBuffer // the media core's JSON log, as CloudWatch Logs would receive it
	vs, err := voice.New(cfg, voice.WithLogger(slog.New(slog.NewJSONHandler(&vlog, nil))))
	if err != nil {
		t.Fatal(err)
	}
	vln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + vln.Addr().String()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = vs.Serve(ctx, vln, nil) }()
	defer func() {
		cancel()
		wg.Wait()
	}()

	cw := awstest.NewCloudWatch(t)
	sc, err := sidecar.ParseConfig(strings.NewReader(fmt.Sprintf(`
scrape:
  interval: 500ms
  targets: [{name: voice, url: %q}]
probes:
  interval: 1s
  suite:
    probes:
      - {name: stun, kind: stun, target: "stun:%[2]s", timeout: 500ms, stun: {transports: [udp]}}
      - {name: turn, kind: turn, target: "turn:%[2]s?transport=udp", timeout: 500ms, turn: {secret: eval-secret}}
      - {name: call, kind: webrtc, target: %[3]q, timeout: 5s, webrtc: {loopback: true}}
cloudwatch:
  mode: api
  endpoint: %[4]q
  static_dimensions: {Service: voicewatch, Environment: eval}
  retry: {max_attempts: 2, initial_backoff: 10ms, max_backoff: 20ms}
export_interval: 1s
shutdown_grace: 5s
`, base+"/metrics", turnAddr, base+"/whip", cw.URL)), sidecar.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	side, err := sidecar.New(sc, sidecar.WithLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	sln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	wg.Add(1)
	go func() { defer wg.Done(); _ = side.Run(ctx, sln) }()

	// The alarms, generated for the sidecar's Service and Environment and
	// applied through the SDK: what CloudWatch stores is what is evaluated.
	acfg, err := alerts.New(alerts.Config{CloudWatch: alerts.CloudWatchConfig{CloudWatch: slo.CloudWatch{Service: "voicewatch", Environment: "eval"}}})
	if err != nil {
		t.Fatal(err)
	}
	defs, err := acfg.CloudWatchDefinitions()
	if err != nil {
		t.Fatal(err)
	}
	logs := awstest.NewLogs(t)
	for _, f := range defs.MetricFilters {
		logs.SeedEvents(f.LogGroup, "seed", logtypes.InputLogEvent{Message: aws.String("x"), Timestamp: aws.Int64(1)})
	}
	if _, err := alerts.NewApplier(cw.Client(), logs.Client(), &memTopics{}, nil).Apply(ctx, defs, false); err != nil {
		t.Fatal(err)
	}
	var ours []cwtypes.MetricAlarm
	for _, a := range cw.Alarms() {
		uses := aws.ToString(a.Namespace) == acfg.CloudWatch.Namespace
		for _, q := range a.Metrics {
			uses = uses || (q.MetricStat != nil && aws.ToString(q.MetricStat.Metric.Namespace) == acfg.CloudWatch.Namespace)
		}
		if uses {
			ours = append(ours, a)
		}
	}
	if len(ours) != 5 {
		t.Fatalf("%d alarms on our namespace, want 5 (3 probes, connection success, scanner traffic)", len(ours))
	}

	// capture waits until cond holds for the datums published since from,
	// then returns the exports published after that point until n more.
	capture := func(phase string, n int, cond func([]awstest.Datum) bool) [][]awstest.Datum {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		from := len(cw.Datums())
		for !cond(cw.Datums()[from:]) {
			if time.Now().After(deadline) {
				seen := map[string]float64{}
				for _, d := range cw.Datums()[max(0, len(cw.Datums())-300):] {
					var dims []string
					for _, dd := range d.Dimensions {
						dims = append(dims, aws.ToString(dd.Value))
					}
					if n := aws.ToString(d.MetricName); n == probemetrics.MetricProbeSuccess || n == voicemetrics.MetricConnections {
						seen[n+fmt.Sprint(dims)] = aws.ToFloat64(d.Value)
					}
				}
				t.Fatalf("%s: the published datums never showed the phase; last values %v", phase, seen)
			}
			time.Sleep(200 * time.Millisecond)
		}
		from = len(cw.Datums())
		for {
			by := exportsOf(cw.Datums()[from:])
			if len(by) > n { // the last may be incomplete
				keys := slices.SortedFunc(func(yield func(time.Time) bool) {
					for k := range by {
						if !yield(k) {
							return
						}
					}
				}, func(a, b time.Time) int { return a.Compare(b) })
				var out [][]awstest.Datum
				for _, k := range keys[:n] {
					out = append(out, by[k])
				}
				return out
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: only %d exports", phase, len(by))
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	// value returns the sum and the last value of a metric at the set of
	// one label (plus Service and Environment) with that label at v.
	value := func(ds []awstest.Datum, name string, dim, v string) (sum, last float64, ok bool) {
		for _, d := range ds {
			if aws.ToString(d.MetricName) != name || d.Value == nil {
				continue
			}
			for _, dd := range d.Dimensions {
				if aws.ToString(dd.Name) == dim && aws.ToString(dd.Value) == v && len(d.Dimensions) == 3 {
					sum, last, ok = sum+*d.Value, *d.Value, true
				}
			}
		}
		return sum, last, ok
	}
	probeOK := func(kind string, want float64) func([]awstest.Datum) bool {
		return func(ds []awstest.Datum) bool {
			_, v, ok := value(ds, probemetrics.MetricProbeSuccess, probemetrics.LabelKind, kind)
			return ok && v == want
		}
	}
	healthy := capture("healthy", 6, func(ds []awstest.Datum) bool {
		c, _, _ := value(ds, voicemetrics.MetricConnections, voicemetrics.LabelResult, voicemetrics.ConnectionConnected)
		return c > 0 && probeOK("stun", 1)(ds) && probeOK("turn", 1)(ds) && probeOK("webrtc", 1)(ds)
	})

	// Faults: the probes' STUN/TURN server goes down; callers whose offers
	// can never connect arrive five times a second.
	healthyLog := len(vlog.String())
	closeTURN.Do(func() { ts.Close() })
	callers, stopCallers := context.WithCancel(ctx)
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-callers.Done():
				return
			case <-tick.C:
				if err := failingCall(base); err != nil {
					t.Errorf("failing call: %v", err)
				}
			}
		}
	}()
	faulty := capture("faults", 6, func(ds []awstest.Datum) bool {
		to, _, _ := value(ds, voicemetrics.MetricConnections, voicemetrics.LabelResult, voicemetrics.ConnectionTimeout)
		return to > 0 && probeOK("stun", 0)(ds) && probeOK("turn", 0)(ds)
	})
	stopCallers()

	// Scanner traffic that got past the edge: ten requests a second reach
	// the media core, more than the incident's target of 10 in 2 hours.
	scanners, stopScanners := context.WithCancel(ctx)
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-scanners.Done():
				return
			case <-tick.C:
				if resp, err := http.Get(base + "/console/bea-helpsets/ShellSession"); err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}
	}()
	scanned := capture("scanner traffic", 3, func(ds []awstest.Datum) bool {
		for _, d := range ds {
			if aws.ToString(d.MetricName) == voicemetrics.MetricHTTPScannerRequests && len(d.Dimensions) == 2 && d.Value != nil && *d.Value > 0 {
				return true
			}
		}
		return false
	})
	stopScanners()

	// The log side of the same faults: the metric filters on the media
	// core's log group, run by the Logs test server's TestMetricFilter
	// (CloudWatch's pattern semantics) over the lines the media core
	// really logged, count its connection timeouts during the faults and
	// none during the healthy run.
	t.Run("metric filters on the media core's log", func(t *testing.T) {
		all := vlog.String()
		count := func(pattern, text string) int {
			var lines []string
			for _, l := range strings.Split(text, "\n") {
				if l != "" {
					lines = append(lines, l)
				}
			}
			n := 0
			for len(lines) > 0 {
				batch := lines[:min(50, len(lines))]
				lines = lines[len(batch):]
				out, err := logs.Client().TestMetricFilter(ctx, &cloudwatchlogs.TestMetricFilterInput{FilterPattern: aws.String(pattern), LogEventMessages: batch})
				if err != nil {
					t.Fatal(err)
				}
				n += len(out.Matches)
			}
			return n
		}
		want := map[string][2]bool{ // filter → (matches during the healthy run, during the faults)
			acfg.CloudWatch.AlarmPrefix + "connection-timeouts": {false, true},
			acfg.CloudWatch.AlarmPrefix + "sessions-started":    {true, true},
		}
		for _, f := range defs.MetricFilters {
			w, ok := want[f.Name]
			if !ok {
				continue
			}
			healthyN, faultN := count(f.Pattern, all[:healthyLog]), count(f.Pattern, all[healthyLog:])
			if (healthyN > 0) != w[0] || (faultN > 0) != w[1] {
				t.Errorf("%s counts %d lines of the healthy run and %d of the faults, want >0: %v, %v", f.Name, healthyN, faultN, w[0], w[1])
			} else {
				t.Logf("%s: %d lines in the healthy run, %d during the faults", f.Name, healthyN, faultN)
			}
		}
	})

	end := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, phase := range []struct {
		name    string
		exports [][]awstest.Datum
		want    map[string]cwtypes.StateValue
	}{
		{"healthy", healthy, map[string]cwtypes.StateValue{"ProbeSTUNFailing": "OK", "ProbeTURNFailing": "OK", "ProbeWebRTCFailing": "OK", "ConnectionSuccessRate": "OK",
			"ScannerRequestsReachService": "OK"}},
		{"faults", faulty, map[string]cwtypes.StateValue{"ProbeSTUNFailing": "ALARM", "ProbeTURNFailing": "ALARM", "ProbeWebRTCFailing": "OK", "ConnectionSuccessRate": "ALARM",
			"ScannerRequestsReachService": "OK"}},
		{"scanner traffic", scanned, map[string]cwtypes.StateValue{"ScannerRequestsReachService": "ALARM"}},
	} {
		t.Run(phase.name, func(t *testing.T) {
			for _, a := range ours {
				short := strings.TrimPrefix(aws.ToString(a.AlarmName), acfg.CloudWatch.AlarmPrefix)
				if _, ok := phase.want[short]; !ok {
					continue
				}
				period := time.Duration(aws.ToInt32(a.Period)) * time.Second
				if period == 0 {
					period = time.Duration(aws.ToInt32(a.Metrics[0].MetricStat.Period)) * time.Second
				}
				data := timeline(phase.exports, int(aws.ToInt32(a.EvaluationPeriods)), period, end)
				state, reason, err := awstest.EvaluateAlarm(a, data, end, cwtypes.StateValueInsufficientData)
				if err != nil {
					t.Fatal(err)
				}
				if state != phase.want[short] {
					t.Errorf("%s: %s, want %s: %s", short, state, phase.want[short], reason)
				} else {
					t.Logf("%s: %s: %s", short, state, reason)
				}
			}
		})
	}
	cancel()
}
