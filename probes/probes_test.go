package probes

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/probes/probemetrics"
	"go.uber.org/goleak"
	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func ok(phases ...Phase) Result {
	return Result{Success: true, Duration: 100 * time.Millisecond, Phases: phases}
}

func TestAssertionsApply(t *testing.T) {
	tests := []struct {
		name      string
		yaml      string
		result    Result
		wantPhase string // "" = still success
	}{
		{"within bounds", "max_ice_gathering: 3s\nmax_duration: 1s", ok(Phase{"ice_gathering", 2 * time.Second}), ""},
		{"slow phase named", "max_ice_gathering: 3s", ok(Phase{"signaling", time.Second}, Phase{"ice_gathering", 5 * time.Second}), "ice_gathering"},
		{"earliest slow phase wins", "max_signaling: 1ms\nmax_ice_gathering: 1ms", ok(Phase{"signaling", time.Second}, Phase{"ice_gathering", 5 * time.Second}), "signaling"},
		{"whole probe too slow", "max_duration: 50ms", ok(), ""},
		{"relay required and present", "require_candidate: relay", func() Result {
			r := ok()
			r.SetDetail(DetailLocalCandidate, "relay")
			return r
		}(), ""},
		{"relay required, host used", "require_candidate: relay", func() Result {
			r := ok()
			r.SetDetail(DetailLocalCandidate, "host")
			r.SetDetail(DetailRemoteCandidate, "host")
			return r
		}(), probemetrics.PhaseWebRTCICEConnected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a Assertions
			if err := yaml.Unmarshal([]byte(tt.yaml), &a); err != nil {
				t.Fatal(err)
			}
			r := tt.result
			a.Apply(&r)
			if tt.name == "whole probe too slow" {
				if r.Success || r.Failure.Reason != ReasonAssertion {
					t.Fatalf("want assertion failure, got %+v", r.Failure)
				}
				return
			}
			if tt.wantPhase == "" {
				if !r.Success {
					t.Fatalf("failed: %+v", r.Failure)
				}
				return
			}
			if r.Success || r.Failure.Phase != tt.wantPhase || r.Failure.Reason != ReasonAssertion || !errors.Is(r.Failure.Err, ErrAssertion) {
				t.Fatalf("got %+v, want assertion in %s", r.Failure, tt.wantPhase)
			}
		})
	}
}

func TestAssertionsKeepFirstFailure(t *testing.T) {
	r := Result{}
	r.Fail("allocate", ReasonTimeout, ErrTimeout)
	Assertions{MaxDuration: time.Nanosecond}.Apply(&r)
	if r.Failure.Reason != ReasonTimeout {
		t.Fatalf("assertion overwrote the network failure: %+v", r.Failure)
	}
}

func TestAggregate(t *testing.T) {
	pass := ok(Phase{"a", 10 * time.Millisecond})
	fail := Result{Duration: time.Second, Phases: Phases{{"a", time.Second}}, Failure: &Failure{Phase: "a", Reason: ReasonTimeout, Err: ErrTimeout}}
	tests := []struct {
		name       string
		attempts   []Result
		min        float64
		wantOK     bool
		wantReason Reason
		wantRatio  string
	}{
		{"all pass", []Result{pass, pass, pass}, 0, true, "", "1.000"},
		{"one fails, default needs all", []Result{pass, fail, pass}, 0, false, ReasonAssertion, "0.667"},
		{"one fails, ratio allows", []Result{pass, fail, pass}, 0.6, true, "", "0.667"},
		{"all fail keeps the real reason", []Result{fail, fail}, 0.5, false, ReasonTimeout, "0.000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Aggregate(Spec{Name: "p", Kind: "stun", Target: "stun:x", Assert: Assertions{MinSuccessRatio: tt.min}}, tt.attempts)
			if r.Success != tt.wantOK || r.Details["success_ratio"] != tt.wantRatio {
				t.Fatalf("success=%v ratio=%s, want %v %s", r.Success, r.Details["success_ratio"], tt.wantOK, tt.wantRatio)
			}
			if !tt.wantOK && r.Failure.Reason != tt.wantReason {
				t.Fatalf("reason %s, want %s", r.Failure.Reason, tt.wantReason)
			}
			if d, _ := r.Phases.Get("a"); d != 10*time.Millisecond && tt.name != "all fail keeps the real reason" {
				t.Errorf("median phase %s, want 10ms", d)
			}
		})
	}
}

func TestRunHonoursTimeoutAndOrder(t *testing.T) {
	block := ProberFunc(func(ctx context.Context) Result {
		<-ctx.Done()
		r := Result{}
		r.Fail("wait", Classify(ctx.Err()), ctx.Err())
		return r
	})
	quick := ProberFunc(func(context.Context) Result { return Result{Success: true} })
	specs := []Spec{
		{Name: "blocked", Kind: "x", Target: "t1", Prober: block, Timeout: 50 * time.Millisecond},
		{Name: "quick", Kind: "x", Target: "t2", Prober: quick},
	}
	start := time.Now()
	rs := Run(t.Context(), specs, 2)
	if el := time.Since(start); el > 50*time.Millisecond+time.Second {
		t.Fatalf("Run took %s", el)
	}
	if rs[0].Probe != "blocked" || rs[0].Success || rs[0].Failure.Reason != ReasonTimeout {
		t.Fatalf("blocked: %+v", rs[0])
	}
	if rs[1].Probe != "quick" || !rs[1].Success {
		t.Fatalf("quick: %+v", rs[1])
	}
}

func TestMetricsGolden(t *testing.T) {
	results := []Result{
		{Probe: "stun", Kind: probemetrics.KindSTUN, Target: "stun:127.0.0.1:3478", Success: true, Duration: 1500 * time.Microsecond,
			Phases: Phases{{"binding_udp", 500 * time.Microsecond}, {"binding_tcp", time.Millisecond}}},
		{Probe: "turn", Kind: probemetrics.KindTURN, Target: "turn:127.0.0.1:3478?transport=udp", Duration: 2 * time.Second,
			Phases: Phases{{"allocate", 2 * time.Second}}, Failure: &Failure{Phase: "allocate", Reason: ReasonBadCredentials}},
	}
	reg, err := MetricsRegistry(results...)
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	if err := writeText(&got, reg); err != nil {
		t.Fatal(err)
	}
	golden := "testdata/metrics.prom"
	if *update {
		if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -update)", err)
	}
	if got.String() != string(want) {
		t.Fatalf("metrics differ from %s (go test -update to accept):\n%s", golden, got.String())
	}
	// A second run gets a fresh registry: no stale series from the first.
	reg2, _ := MetricsRegistry(results[0])
	var again strings.Builder
	if err := writeText(&again, reg2); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(again.String(), probemetrics.MetricProbeFailureInfo+"{") || strings.Contains(again.String(), `probe="turn"`) {
		t.Fatalf("fresh registry shows the first run's series:\n%s", again.String())
	}
}

func TestMetricsRejectDuplicates(t *testing.T) {
	r := Result{Probe: "a", Kind: "stun", Target: "t", Success: true}
	if _, err := MetricsRegistry(r, r); err == nil {
		t.Fatal("duplicate probe/kind/target accepted")
	}
}

func TestPhasesJSONKeepsOrder(t *testing.T) {
	b, err := json.Marshal(Phases{{"z", time.Second}, {"a", 500 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"z":1,"a":0.5}` {
		t.Fatalf("got %s", b)
	}
}

func TestRedactTarget(t *testing.T) {
	tests := []struct{ in, want string }{
		{"turn:127.0.0.1:3478?transport=udp", "turn:127.0.0.1:3478?transport=udp"},
		{"turn:user:pw@host:3478", "turn:REDACTED@host:3478"},
		{"https://u:pw@example.com/whip", "https://REDACTED@example.com/whip"},
		{"https://example.com/whip?token=abc&x=1", "https://example.com/whip?token=REDACTED&x=1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := RedactTarget(tt.in); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want Reason
	}{
		{"dns", &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}, ReasonDNS},
		{"refused", fmt.Errorf("dial: %w", syscall.ECONNREFUSED), ReasonUnreachable},
		{"deadline", context.DeadlineExceeded, ReasonTimeout},
		{"os deadline", os.ErrDeadlineExceeded, ReasonTimeout},
		{"other", errors.New("boom"), ReasonOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.err); got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	k := Kind{Name: "a", Decode: func(func(any) error) (Module, error) { return nil, nil }}
	if err := r.Register(k); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(k); !errors.Is(err, ErrDuplicateKind) {
		t.Fatalf("duplicate: %v", err)
	}
	if err := r.Register(Kind{Name: "b"}); !errors.Is(err, ErrBadKind) {
		t.Fatalf("kind without Decode: %v", err)
	}
	if _, err := r.Lookup("b"); !errors.Is(err, ErrUnknownKind) {
		t.Fatalf("unknown: %v", err)
	}
}
