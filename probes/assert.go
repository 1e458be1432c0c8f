package probes

import (
	"fmt"
	"strings"
	"time"

	"github.com/voicewatch/voicewatch/probes/probemetrics"
	"gopkg.in/yaml.v3"
)

// Detail keys shared by kinds and assertions.
const (
	// DetailLocalCandidate is the selected local ICE candidate type.
	DetailLocalCandidate = "local_candidate_type"
	// DetailRemoteCandidate is the selected remote ICE candidate type.
	DetailRemoteCandidate = "remote_candidate_type"
	// DetailRTT, DetailJitter and DetailPacketLoss show a result's Media.
	DetailRTT        = "rtt"
	DetailJitter     = "jitter"
	DetailPacketLoss = "packet_loss"
)

// Assertions are checks on a successful probe's result. In YAML:
//
//	assert:
//	  max_duration: 5s          # whole probe
//	  max_ice_gathering: 3s     # max_<phase>: any phase of the kind
//	  require_candidate: relay  # host | srflx | prflx | relay
//	  min_success_ratio: 0.9    # over repeat attempts; default 1 (all)
type Assertions struct {
	// MaxDuration bounds the whole probe; 0 means no bound.
	MaxDuration time.Duration
	// MaxPhase bounds individual phases by name; empty means none.
	MaxPhase map[string]time.Duration
	// RequireCandidate requires the selected ICE pair to use this candidate
	// type on either side; "" means any.
	RequireCandidate string
	// MinSuccessRatio is the share of repeat attempts that must succeed;
	// 0 means the default, 1 (all).
	MinSuccessRatio float64
}

var candidateTypes = []string{"host", "srflx", "prflx", "relay"}

// UnmarshalYAML decodes assertions strictly: an unknown key or a bad value
// is an error naming the key.
func (a *Assertions) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: assert must be a mapping", node.Line)
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, v := node.Content[i], node.Content[i+1]
		switch key := k.Value; {
		case key == "require_candidate":
			if !contains(candidateTypes, v.Value) {
				return fmt.Errorf("line %d: require_candidate %q: want one of %s", v.Line, v.Value, strings.Join(candidateTypes, ", "))
			}
			a.RequireCandidate = v.Value
		case key == "min_success_ratio":
			var f float64
			if err := v.Decode(&f); err != nil || f <= 0 || f > 1 {
				return fmt.Errorf("line %d: min_success_ratio %q: want a number in (0, 1]", v.Line, v.Value)
			}
			a.MinSuccessRatio = f
		case strings.HasPrefix(key, "max_"):
			d, err := time.ParseDuration(v.Value)
			if err != nil || d <= 0 {
				return fmt.Errorf("line %d: %s %q: want a positive duration like 3s or 250ms", v.Line, key, v.Value)
			}
			if key == "max_duration" {
				a.MaxDuration = d
				continue
			}
			if a.MaxPhase == nil {
				a.MaxPhase = make(map[string]time.Duration)
			}
			a.MaxPhase[strings.TrimPrefix(key, "max_")] = d
		default:
			return fmt.Errorf("line %d: unknown assertion %q (want max_duration, max_<phase>, require_candidate, min_success_ratio)", k.Line, key)
		}
	}
	return nil
}

// CheckPhases returns an error when a phase bound names a phase the kind
// never runs, so a typo (max_ice_gathring) is caught at load time.
func (a Assertions) CheckPhases(known []string) error {
	for name := range a.MaxPhase {
		if !contains(known, name) {
			return fmt.Errorf("max_%s: unknown phase %q (phases: %s)", name, name, strings.Join(known, ", "))
		}
	}
	return nil
}

// Apply checks a result against the assertions and marks it failed with
// ReasonAssertion, naming the phase, when one does not hold. Failed results
// are left alone: their first failure is the one to act on.
func (a Assertions) Apply(r *Result) {
	if !r.Success {
		return
	}
	if a.MaxDuration > 0 && r.Duration > a.MaxDuration {
		r.Fail("", ReasonAssertion, fmt.Errorf("%w: probe took %s > max_duration %s", ErrAssertion, r.Duration.Round(time.Microsecond), a.MaxDuration))
		return
	}
	for _, ph := range r.Phases { // report the earliest slow phase
		if limit, ok := a.MaxPhase[ph.Name]; ok && ph.Duration > limit {
			r.Fail(ph.Name, ReasonAssertion, fmt.Errorf("%w: %s took %s > max_%s %s", ErrAssertion, ph.Name, ph.Duration.Round(time.Microsecond), ph.Name, limit))
			return
		}
	}
	if a.RequireCandidate != "" {
		l, rm := r.Details[DetailLocalCandidate], r.Details[DetailRemoteCandidate]
		if l != a.RequireCandidate && rm != a.RequireCandidate {
			r.Fail(probemetrics.PhaseWebRTCICEConnected, ReasonAssertion, fmt.Errorf("%w: selected pair is %s/%s, require_candidate %s", ErrAssertion, orNone(l), orNone(rm), a.RequireCandidate))
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
