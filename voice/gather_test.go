package voice

import (
	"context"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
)

// watch returns a gatherWatch as newGatherWatch builds it, without a peer
// connection: the test feeds the candidates, and gathering never completes
// unless complete is closed.
func watch(needSrflx, needRelay bool, srflxWait time.Duration, complete chan struct{}) *gatherWatch {
	return &gatherWatch{complete: complete, needSrfl: needSrflx, needRely: needRelay, srflxWait: srflxWait,
		enough: make(chan struct{})}
}

func candidate(typ webrtc.ICECandidateType) *webrtc.ICECandidate {
	return &webrtc.ICECandidate{Typ: typ}
}

// TestGatherWatch: when the answer may go out. A long timeout stands for
// "never" in the cases that must end early; the cases that must wait end
// by a short one and must say so.
func TestGatherWatch(t *testing.T) {
	const never = time.Hour
	host, srflx, relay := webrtc.ICECandidateTypeHost, webrtc.ICECandidateTypeSrflx, webrtc.ICECandidateTypeRelay
	tests := []struct {
		name                 string
		needSrflx, needRelay bool
		srflxWait, timeout   time.Duration
		before, after        []webrtc.ICECandidateType // fed before wait, and once it waits
		want                 gatherEnd
	}{
		{"every kind answered", true, true, never, never, []webrtc.ICECandidateType{host, srflx, relay}, nil, gatherEnough},
		{"STUN only, srflx answered", true, false, never, never, []webrtc.ICECandidateType{host, srflx}, nil, gatherEnough},
		{"TURN only, relay answered", false, true, never, never, []webrtc.ICECandidateType{host, relay}, nil, gatherEnough},
		// The dead STUN server plus TURN over UDP blocked, TURN over TCP
		// answering: the relay is enough once the STUN wait is over.
		{"relay, no srflx, STUN wait over", true, true, 10 * time.Millisecond, never, []webrtc.ICECandidateType{host, relay}, nil, gatherEnough},
		{"relay after the STUN wait", true, true, 10 * time.Millisecond, never, []webrtc.ICECandidateType{host}, []webrtc.ICECandidateType{relay}, gatherEnough},
		// Before the STUN wait is over a srflx may still come: keep waiting.
		{"relay, no srflx, STUN wait not over", true, true, never, 50 * time.Millisecond, []webrtc.ICECandidateType{host, relay}, nil, gatherTimeout},
		// Without a relay the STUN wait changes nothing.
		{"no relay", true, true, 10 * time.Millisecond, 50 * time.Millisecond, []webrtc.ICECandidateType{host}, nil, gatherTimeout},
		{"no host", true, true, 10 * time.Millisecond, 50 * time.Millisecond, []webrtc.ICECandidateType{srflx, relay}, nil, gatherTimeout},
		{"no servers: wait for completion", false, false, 10 * time.Millisecond, 50 * time.Millisecond, []webrtc.ICECandidateType{host}, nil, gatherTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := watch(tt.needSrflx, tt.needRelay, tt.srflxWait, make(chan struct{}))
			for _, c := range tt.before {
				g.onCandidate(candidate(c))
			}
			if tt.after != nil {
				time.AfterFunc(30*time.Millisecond, func() {
					for _, c := range tt.after {
						g.onCandidate(candidate(c))
					}
				})
			}
			if got := g.wait(context.Background(), tt.timeout); got != tt.want {
				t.Errorf("wait = %s, want %s", got, tt.want)
			}
		})
	}
	t.Run("complete", func(t *testing.T) {
		done := make(chan struct{})
		close(done)
		if got := watch(false, false, 0, done).wait(context.Background(), never); got != gatherComplete {
			t.Errorf("wait = %s, want %s", got, gatherComplete)
		}
	})
}
