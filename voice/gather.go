package voice

import (
	"context"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"
)

// How gathering ended.
type gatherEnd string

const (
	gatherComplete gatherEnd = "complete" // every gatherer finished
	gatherEnough   gatherEnd = "enough"   // each configured server kind answered
	gatherTimeout  gatherEnd = "timeout"  // ice.gathering_timeout hit
	gatherAborted  gatherEnd = "aborted"  // the request went away
)

// gatherWatch waits for ICE gathering. It ends early once there is a host
// candidate and one candidate from each configured server kind (srflx for
// STUN, relay for TURN): a STUN server that never answers then cannot hold
// the answer hostage for its full timeout, which is what made the incident's
// gathering take 5–7 s.
//
// With both kinds configured, a relay candidate is enough on its own once
// srflxWait (ice.stun_gather_timeout) has passed: by then pion has given up
// on the STUN servers, and waiting on would only wait for the slowest TURN
// allocation. With media UDP blocked that is TURN over UDP retransmitting
// its Allocate for about 8 s while TURN over TCP answered at once.
type gatherWatch struct {
	complete  <-chan struct{}
	needSrfl  bool
	needRely  bool
	srflxWait time.Duration

	mu          sync.Mutex
	n           int
	host        bool
	srflx       bool
	relay       bool
	srflxWaited bool // srflxWait has passed
	enough      chan struct{}
	closed      bool
}

// newGatherWatch must be called before SetLocalDescription.
func newGatherWatch(pc *webrtc.PeerConnection, servers []ICEServer, srflxWait time.Duration) *gatherWatch {
	stun, turn := serverKinds(servers)
	g := &gatherWatch{complete: webrtc.GatheringCompletePromise(pc), needSrfl: stun, needRely: turn,
		srflxWait: srflxWait, enough: make(chan struct{})}
	pc.OnICECandidate(g.onCandidate)
	return g
}

func (g *gatherWatch) onCandidate(c *webrtc.ICECandidate) {
	if c == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n++
	switch c.Typ {
	case webrtc.ICECandidateTypeHost:
		g.host = true
	case webrtc.ICECandidateTypeSrflx:
		g.srflx = true
	case webrtc.ICECandidateTypeRelay:
		g.relay = true
	}
	g.check()
}

// check closes enough once the candidates suffice; g.mu is held.
func (g *gatherWatch) check() {
	if g.closed || !g.host || (!g.needSrfl && !g.needRely) {
		return
	}
	srflxOK := !g.needSrfl || g.srflx || (g.srflxWaited && g.relay)
	if srflxOK && (!g.needRely || g.relay) {
		g.closed = true
		close(g.enough)
	}
}

// srflxWaitOver marks srflxWait as passed.
func (g *gatherWatch) srflxWaitOver() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.srflxWaited = true
	g.check()
}

func (g *gatherWatch) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n
}

func (g *gatherWatch) wait(ctx context.Context, timeout time.Duration) gatherEnd {
	t := time.NewTimer(timeout)
	defer t.Stop()
	if g.needSrfl && g.needRely && g.srflxWait > 0 && g.srflxWait < timeout {
		w := time.AfterFunc(g.srflxWait, g.srflxWaitOver)
		defer w.Stop()
	}
	select {
	case <-g.complete:
		return gatherComplete
	case <-g.enough:
		return gatherEnough
	case <-t.C:
		return gatherTimeout
	case <-ctx.Done():
		return gatherAborted
	}
}
