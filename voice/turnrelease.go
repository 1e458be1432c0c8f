package voice

import (
	"time"

	"github.com/pion/webrtc/v4"
)

// closePC closes the session's PeerConnection. While ICE gathering is still
// running (a caller that hangs up at once), it first lets gathering finish,
// for at most ice.stun_gather_timeout plus a second: closing the
// PeerConnection cancels a TURN Allocate in flight, and an allocation the
// server granted just then is never released (no Refresh with lifetime 0),
// so it stays on the TURN server for its whole lifetime (10 minutes on
// coturn). Once gathering is done, Close releases every allocation. The
// wait runs on a session goroutine; the session is already ended.
func (s *session) closePC() {
	pc := s.pc
	if pc.ICEGatheringState() != webrtc.ICEGatheringStateGathering {
		_ = pc.Close()
		return
	}
	pc.OnConnectionStateChange(func(webrtc.PeerConnectionState) {}) // the session is over
	done := webrtc.GatheringCompletePromise(pc)
	wait := s.srv.cfg.ICE.STUNGatherTimeout + time.Second
	s.wg.Add(1)
	go func() { // owner: the session (s.wg); ends within wait
		defer s.wg.Done()
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
		}
		_ = pc.Close()
	}()
}
