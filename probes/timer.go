package probes

import "time"

// PhaseTimer records consecutive phases of a probe into a [Result]. It is
// not safe for concurrent use; probes that run phases in parallel record
// them with [Result.Phases] directly.
type PhaseTimer struct {
	r     *Result
	now   func() time.Time
	start time.Time
	name  string
}

// NewPhaseTimer returns a timer recording into r using now (time.Now when
// nil).
func NewPhaseTimer(r *Result, now func() time.Time) *PhaseTimer {
	if now == nil {
		now = time.Now
	}
	return &PhaseTimer{r: r, now: now}
}

// Start ends the current phase, if any, and starts the named one.
func (t *PhaseTimer) Start(name string) {
	t.End()
	t.name = name
	t.start = t.now()
}

// Current returns the name of the running phase ("" when none).
func (t *PhaseTimer) Current() string { return t.name }

// End records the running phase, if any.
func (t *PhaseTimer) End() {
	if t.name == "" {
		return
	}
	t.r.Phases = append(t.r.Phases, Phase{Name: t.name, Duration: t.now().Sub(t.start)})
	t.name = ""
}

// Fail records the running phase and marks the result failed in it.
func (t *PhaseTimer) Fail(reason Reason, err error) {
	name := t.name
	t.End()
	t.r.Fail(name, reason, err)
}
