package webrtc

import (
	"fmt"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/voicewatch/voicewatch/probes"
)

// measureQuality records what the call's RTCP and ICE statistics say about
// the network (pion's stats interceptor, the same numbers a browser's
// getStats gives): loss and interarrival jitter of the bot's audio as the
// probe received it, and the round-trip time — from the bot's receiver
// reports about the probe's stream when there was one in time, else from
// the ICE consent checks of the selected candidate pair.
func (c *call) measureQuality(r *probes.Result) {
	var (
		q          probes.MediaQuality
		have       bool
		rtcpRTT    float64
		pairRTT    float64
		lost, recv int64
	)
	for _, s := range c.pc.GetStats() {
		switch s := s.(type) {
		case webrtc.InboundRTPStreamStats:
			lost += int64(s.PacketsLost)
			recv += int64(s.PacketsReceived)
			q.Jitter = max(q.Jitter, time.Duration(s.Jitter*float64(time.Second)))
			have = true
		case webrtc.RemoteInboundRTPStreamStats:
			if s.RoundTripTimeMeasurements > 0 {
				rtcpRTT = s.RoundTripTime
			}
		case webrtc.ICECandidatePairStats:
			if s.Nominated && s.CurrentRoundTripTime > 0 {
				pairRTT = s.CurrentRoundTripTime
			}
		}
	}
	if !have {
		return
	}
	q.Received = recv
	if lost > 0 && recv+lost > 0 {
		q.Loss = float64(lost) / float64(recv+lost)
	}
	switch {
	case rtcpRTT > 0:
		q.RTT = time.Duration(rtcpRTT * float64(time.Second))
		r.SetDetail("rtt_source", "rtcp")
	case pairRTT > 0:
		q.RTT = time.Duration(pairRTT * float64(time.Second))
		r.SetDetail("rtt_source", "ice")
	}
	r.Media = &q
	r.SetDetail(probes.DetailRTT, q.RTT.Round(time.Microsecond).String())
	r.SetDetail(probes.DetailJitter, q.Jitter.Round(time.Microsecond).String())
	r.SetDetail(probes.DetailPacketLoss, fmt.Sprintf("%.1f%%", q.Loss*100))
}
