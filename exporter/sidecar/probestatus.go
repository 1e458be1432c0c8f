package sidecar

import (
	"sync"
	"time"

	"github.com/voicewatch/voicewatch/probes"
)

// historyLen is how many results of each probe the status page shows as a
// strip.
const historyLen = 20

// runMark is one past run of a probe, as the status page's strip shows it.
type runMark struct {
	At       time.Time
	Success  bool
	Duration time.Duration
	Reason   string // failure reason, "" on success
	Phase    string
}

// probeState is what the status page knows of one scheduled probe.
type probeState struct {
	Interval time.Duration
	LastRun  time.Time // zero before the first run ended
	NextRun  time.Time // zero while a run is in progress or before scheduling
	History  []runMark // oldest first, at most historyLen
}

// probeHistory records, per scheduled probe, its runs and its next run.
// Methods are safe for concurrent use and on a nil receiver (no-ops).
type probeHistory struct {
	now    func() time.Time
	mu     sync.Mutex
	states []probeState // by spec index
}

func newProbeHistory(now func() time.Time, intervals []time.Duration) *probeHistory {
	h := &probeHistory{now: now, states: make([]probeState, len(intervals))}
	for i, d := range intervals {
		h.states[i].Interval = d
	}
	return h
}

// scheduled records that probe i runs next after d.
func (h *probeHistory) scheduled(i int, d time.Duration) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.states[i].NextRun = h.now().Add(d)
}

// ran records a finished run of probe i.
func (h *probeHistory) ran(i int, r probes.Result) {
	if h == nil {
		return
	}
	m := runMark{At: h.now(), Success: r.Success, Duration: r.Duration}
	if r.Failure != nil {
		m.Reason, m.Phase = string(r.Failure.Reason), r.Failure.Phase
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	st := &h.states[i]
	st.LastRun, st.NextRun = m.At, time.Time{}
	st.History = append(st.History, m)
	if len(st.History) > historyLen {
		st.History = append(st.History[:0:0], st.History[len(st.History)-historyLen:]...)
	}
}

// snapshot returns a copy of the states.
func (h *probeHistory) snapshot() []probeState {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]probeState, len(h.states))
	for i, s := range h.states {
		s.History = append([]runMark(nil), s.History...)
		out[i] = s
	}
	return out
}
