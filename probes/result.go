package probes

import (
	"encoding/json"
	"time"
)

// Result is the outcome of one probe run against one target.
type Result struct {
	// Probe is the configured probe name (defaults to the target).
	Probe string
	// Kind is the probe kind: stun, turn, webrtc or http.
	Kind string
	// Target is what was probed, without credentials.
	Target string
	// Success is true when the probe and all its assertions passed.
	Success bool
	// Duration is the wall time of the whole probe.
	Duration time.Duration
	// Phases are the per-phase durations in the order they ran.
	Phases Phases
	// Details are facts a person may want to see: mapped address, relay
	// address, selected candidate types, RTTs, retransmissions. Values never
	// contain secrets.
	Details map[string]string
	// Failure is set when Success is false.
	Failure *Failure
	// Media is the network quality the probe measured (turn: its relay
	// echoes; webrtc: the call's RTCP statistics); nil when it measured
	// none.
	Media *MediaQuality
	// CertExpiry is the earliest NotAfter of the server's TLS certificate
	// chain (turns: and https targets); zero when there was no TLS.
	CertExpiry time.Time
}

// MediaQuality is what a probe measured about the path.
type MediaQuality struct {
	// RTT is the mean round-trip time; RTTMin and RTTP95 its minimum and
	// 95th percentile when there were several samples (else zero).
	RTT, RTTMin, RTTP95 time.Duration
	// Jitter is the variation of the round-trip or interarrival time
	// (RFC 3550 §6.4.1 style: mean absolute difference of successive
	// samples, smoothed for RTP).
	Jitter time.Duration
	// Loss is the ratio of packets lost, 0..1.
	Loss float64
	// Sent and Received count the probe's packets (Sent is 0 when the
	// probe did not send them itself).
	Sent, Received int64
}

// Failure says where and why a probe failed.
type Failure struct {
	// Phase is the phase that failed (or that an assertion was about).
	Phase string
	// Reason is the bounded, actionable classification.
	Reason Reason
	// Err is the underlying error, for the message. It never contains secrets.
	Err error
}

// Message returns the failure's error text, or "" when there is none.
func (f *Failure) Message() string {
	if f == nil || f.Err == nil {
		return ""
	}
	return f.Err.Error()
}

// Fail marks r as failed in phase for reason, keeping the first failure: a
// later call (e.g. an assertion after a network failure) does not overwrite
// it.
func (r *Result) Fail(phase string, reason Reason, err error) {
	r.Success = false
	if r.Failure != nil {
		return
	}
	r.Failure = &Failure{Phase: phase, Reason: reason, Err: err}
}

// SetDetail records a detail, allocating the map on first use.
func (r *Result) SetDetail(key, value string) {
	if r.Details == nil {
		r.Details = make(map[string]string)
	}
	r.Details[key] = value
}

// Phase is one named, timed step of a probe.
type Phase struct {
	// Name is the phase name, e.g. "allocate" or "ice_gathering".
	Name string
	// Duration is how long the phase took.
	Duration time.Duration
}

// Phases is an ordered list of phase durations.
type Phases []Phase

// Get returns the duration of the named phase and whether it ran.
func (p Phases) Get(name string) (time.Duration, bool) {
	for _, ph := range p {
		if ph.Name == name {
			return ph.Duration, true
		}
	}
	return 0, false
}

// MarshalJSON encodes the phases as a JSON object in phase order, with
// durations in seconds.
func (p Phases) MarshalJSON() ([]byte, error) {
	buf := []byte{'{'}
	for i, ph := range p {
		if i > 0 {
			buf = append(buf, ',')
		}
		k, err := json.Marshal(ph.Name)
		if err != nil {
			return nil, err
		}
		buf = append(buf, k...)
		buf = append(buf, ':')
		v, err := json.Marshal(ph.Duration.Seconds())
		if err != nil {
			return nil, err
		}
		buf = append(buf, v...)
	}
	return append(buf, '}'), nil
}
