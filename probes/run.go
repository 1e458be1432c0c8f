package probes

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"
)

// Spec is one configured probe: a prober plus how to run and judge it.
type Spec struct {
	// Name identifies the probe in reports and metrics. Default: Target.
	Name string
	// Kind is the prober's kind.
	Kind string
	// Target is what the prober checks, without credentials.
	Target string
	// Prober runs one attempt.
	Prober Prober
	// Timeout bounds each attempt. Default: DefaultTimeout.
	Timeout time.Duration
	// Repeat is the number of attempts. Default: 1.
	Repeat int
	// Assert are the checks applied to each attempt and to the success
	// ratio over all attempts.
	Assert Assertions
}

// Run runs specs with at most parallel probes at a time (default 1) and
// returns their results in spec order. Attempts of one spec run one after
// another. Run returns when every attempt has returned.
func Run(ctx context.Context, specs []Spec, parallel int) []Result {
	if parallel <= 0 {
		parallel = 1
	}
	results := make([]Result, len(specs))
	var g errgroup.Group
	g.SetLimit(parallel)
	for i := range specs {
		g.Go(func() error {
			results[i] = RunSpec(ctx, specs[i])
			return nil
		})
	}
	_ = g.Wait() // the goroutines never return errors
	return results
}

// RunSpec runs every attempt of one spec and aggregates them (see
// [Aggregate]).
func RunSpec(ctx context.Context, s Spec) Result {
	n := max(s.Repeat, 1)
	attempts := make([]Result, 0, n)
	for range n {
		attempts = append(attempts, runAttempt(ctx, s))
		if ctx.Err() != nil {
			break
		}
	}
	return Aggregate(s, attempts)
}

func runAttempt(ctx context.Context, s Spec) Result {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	r := s.Prober.Probe(actx)
	if r.Duration == 0 {
		r.Duration = time.Since(start)
	}
	r.Probe, r.Kind, r.Target = s.name(), s.Kind, RedactTarget(s.Target)
	if !r.Success && r.Failure == nil {
		r.Fail("", ReasonOther, fmt.Errorf("probe failed without a reason"))
	}
	s.Assert.Apply(&r)
	return r
}

func (s Spec) name() string {
	if s.Name != "" {
		return s.Name
	}
	return RedactTarget(s.Target)
}

// Aggregate folds repeat attempts into one result. A single attempt is
// returned as is. For several: Duration and each phase are the medians over
// the attempts that ran them; Details are the last successful attempt's
// plus attempts, successes and success_ratio; the result succeeds when the
// success ratio reaches Assert.MinSuccessRatio (default 1). When it does
// not, the failure is the first attempt's failure if none succeeded, and an
// assertion failure naming the ratio and that first failure otherwise.
func Aggregate(s Spec, attempts []Result) Result {
	if len(attempts) == 1 {
		return attempts[0]
	}
	out := Result{Probe: s.name(), Kind: s.Kind, Target: RedactTarget(s.Target)}
	var durs []time.Duration
	phaseDurs := map[string][]time.Duration{}
	var order []string
	ok := 0
	var firstFail *Failure
	for i := range attempts {
		a := &attempts[i]
		durs = append(durs, a.Duration)
		for _, ph := range a.Phases {
			if _, seen := phaseDurs[ph.Name]; !seen {
				order = append(order, ph.Name)
			}
			phaseDurs[ph.Name] = append(phaseDurs[ph.Name], ph.Duration)
		}
		if a.Success {
			ok++
			out.Details = cloneMap(a.Details)
		} else if firstFail == nil {
			firstFail = a.Failure
		}
	}
	out.Duration = median(durs)
	for _, name := range order {
		out.Phases = append(out.Phases, Phase{Name: name, Duration: median(phaseDurs[name])})
	}
	ratio := float64(ok) / float64(len(attempts))
	out.SetDetail("attempts", strconv.Itoa(len(attempts)))
	out.SetDetail("successes", strconv.Itoa(ok))
	out.SetDetail("success_ratio", strconv.FormatFloat(ratio, 'f', 3, 64))
	minRatio := s.Assert.MinSuccessRatio
	if minRatio <= 0 {
		minRatio = 1
	}
	out.Success = ratio >= minRatio
	switch {
	case out.Success:
	case ok == 0 && firstFail != nil:
		out.Failure = firstFail
	default:
		f := &Failure{Reason: ReasonAssertion}
		msg := fmt.Sprintf("success ratio %.3f < min_success_ratio %.3f", ratio, minRatio)
		if firstFail != nil {
			f.Phase = firstFail.Phase
			msg += fmt.Sprintf(" (first failure: %s in %s: %s)", firstFail.Reason, firstFail.Phase, firstFail.Message())
		}
		f.Err = fmt.Errorf("%w: %s", ErrAssertion, msg)
		out.Failure = f
	}
	return out
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
