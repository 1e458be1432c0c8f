package voice

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"

	"github.com/voicewatch/voicewatch/voice/emodel"
)

// quality is one session's media quality, taken from RTCP reception
// reports (RFC 3550 §6.4.1) rather than from RTP statistics of our own:
//
//   - the inbound direction (the caller's audio as we received it) from the
//     receiver reports pion's report interceptor computes and sends for the
//     caller's stream (cumulative loss, interarrival jitter per §6.4.1 and
//     A.8), seen on their way out by rtcpTap;
//   - the outbound direction (the bot's audio as the caller received it)
//     from the caller's receiver and sender reports about our stream;
//   - the round-trip time from those reports' LSR and DLSR fields (§6.4.1:
//     RTT = A − LSR − DLSR, A being the report's arrival time), which match
//     the NTP timestamps of the sender reports pion's report interceptor
//     sends for our stream.
//
// The RTP hot path pays one atomic increment per packet (received); the
// rest runs once per report, about once a second per direction.
type quality struct {
	m         *metrics
	clockRate float64
	now       func() time.Time // wall clock: SR NTP timestamps are wall-clock

	received atomic.Uint64 // RTP packets read from the caller
	sent     atomic.Uint64 // RTP packets sent to the caller

	mu        sync.Mutex
	lastLost  [2]map[uint32]uint32 // cumulative lost per reported SSRC, by direction
	lost      [2]uint64
	jitterSum [2]float64
	jitterN   [2]int
	rttSum    float64
	rttN      int
	// expectedOut is how many packets the caller's latest report covers:
	// its extended highest sequence number + 1 (the player numbers a
	// session's packets from 0).
	expectedOut uint64
}

// Direction indexes.
const (
	dirIn = iota
	dirOut
)

func newQuality(m *metrics, codec Codec) *quality {
	q := &quality{m: m, clockRate: 48000, now: time.Now}
	if codec == CodecPCMU {
		q.clockRate = 8000
	}
	q.lastLost[dirIn], q.lastLost[dirOut] = map[uint32]uint32{}, map[uint32]uint32{}
	return q
}

// report records one reception report block in direction dir.
func (q *quality) report(dir int, r rtcp.ReceptionReport) {
	jitter := float64(r.Jitter) / q.clockRate
	q.mu.Lock()
	var delta uint32
	if prev, ok := q.lastLost[dir][r.SSRC]; !ok || r.TotalLost >= prev {
		delta = r.TotalLost - prev
		q.lastLost[dir][r.SSRC] = r.TotalLost
	}
	q.lost[dir] += uint64(delta)
	q.jitterSum[dir] += jitter
	q.jitterN[dir]++
	q.mu.Unlock()
	q.m.rtpLost[dir].Add(float64(delta))
	q.m.rtpJitter[dir].Observe(jitter)
}

// remoteReport handles the caller's report about our stream ssrc, arriving
// at arrival.
func (q *quality) remoteReport(r rtcp.ReceptionReport, arrival time.Time) {
	q.report(dirOut, r)
	q.mu.Lock()
	q.expectedOut = max(q.expectedOut, uint64(r.LastSequenceNumber)+1)
	q.mu.Unlock()
	rtt, ok := roundTrip(r, arrival)
	if !ok {
		return
	}
	q.mu.Lock()
	q.rttSum += rtt.Seconds()
	q.rttN++
	q.mu.Unlock()
	q.m.rtt.Observe(rtt.Seconds())
}

// roundTrip computes RFC 3550 §6.4.1's RTT = A − LSR − DLSR in the
// "middle 32 bits of NTP" units (1/65536 s). ok is false when the report
// references no sender report yet or the result is not plausible.
func roundTrip(r rtcp.ReceptionReport, arrival time.Time) (time.Duration, bool) {
	if r.LastSenderReport == 0 {
		return 0, false
	}
	a := uint32(ntpTime(arrival) >> 16)
	d := int64(int32(a - r.LastSenderReport - r.Delay)) // wraps like the 32-bit field
	if d < 0 {
		return 0, false // clock step or a stale LSR
	}
	rtt := time.Duration(d * int64(time.Second) / 65536)
	if rtt > time.Minute {
		return 0, false
	}
	return rtt, true
}

// ntpTime is t as a 64-bit NTP timestamp (RFC 3550 §4), as pion's report
// interceptor writes it into sender reports.
func ntpTime(t time.Time) uint64 {
	const ntpEpochOffset = 2208988800 // seconds from 1900 to 1970
	ns := t.UnixNano()
	secs := uint64(ns/1e9) + ntpEpochOffset
	frac := uint64(ns%1e9) << 32 / 1e9
	return secs<<32 | frac
}

// readSenderRTCP reads the RTCP the caller sends about our stream until the
// PeerConnection closes. Reading is also what lets pion's interceptors see
// those packets.
func (q *quality) readSenderRTCP(sender *webrtc.RTPSender) {
	var ssrc uint32
	if enc := sender.GetParameters().Encodings; len(enc) > 0 {
		ssrc = uint32(enc[0].SSRC)
	}
	for {
		pkts, _, err := sender.ReadRTCP()
		if err != nil {
			return
		}
		arrival := q.now()
		for _, p := range pkts {
			for _, b := range receptionReports(p) {
				if b.SSRC == ssrc {
					q.remoteReport(b, arrival)
				}
			}
		}
	}
}

// qualitySummary is a session's media quality at its end.
type qualitySummary struct {
	ok                  bool // at least one report was seen
	lossIn, lossOut     float64
	jitterIn, jitterOut time.Duration
	rtt                 time.Duration
	mos                 float64
}

// summary computes the session's loss ratios, mean jitter and RTT, and the
// E-model MOS (package emodel documents the model and its simplifications).
// The MOS takes the worse direction's loss and jitter: a call is as good as
// its worse half.
func (q *quality) summary() qualitySummary {
	q.mu.Lock()
	defer q.mu.Unlock()
	var s qualitySummary
	s.ok = q.jitterN[dirIn]+q.jitterN[dirOut] > 0
	if !s.ok {
		return s
	}
	if n := q.lost[dirIn] + q.received.Load(); n > 0 {
		s.lossIn = float64(q.lost[dirIn]) / float64(n)
	}
	// The loss ratio over the packets the caller's last report covers
	// (packets sent after it are neither counted lost nor received).
	if n := min(q.expectedOut, q.sent.Load()); n > 0 {
		s.lossOut = min(float64(q.lost[dirOut])/float64(n), 1)
	}
	mean := func(sum float64, n int) time.Duration {
		if n == 0 {
			return 0
		}
		return time.Duration(sum / float64(n) * float64(time.Second))
	}
	s.jitterIn, s.jitterOut = mean(q.jitterSum[dirIn], q.jitterN[dirIn]), mean(q.jitterSum[dirOut], q.jitterN[dirOut])
	s.rtt = mean(q.rttSum, q.rttN)
	s.mos = emodel.MOS(emodel.Input{Loss: max(s.lossIn, s.lossOut), Jitter: max(s.jitterIn, s.jitterOut), RTT: s.rtt})
	return s
}

// rtcpTap is a per-PeerConnection interceptor that sees the RTCP the media
// core sends. It must come before pion's report interceptors in the
// registry, so that the writer they bind is the tapped one.
type rtcpTap struct {
	interceptor.NoOp
	q *quality
}

// BindRTCPWriter records the reception report blocks of our own receiver
// reports: the inbound direction.
func (t *rtcpTap) BindRTCPWriter(w interceptor.RTCPWriter) interceptor.RTCPWriter {
	return interceptor.RTCPWriterFunc(func(pkts []rtcp.Packet, a interceptor.Attributes) (int, error) {
		for _, p := range pkts {
			for _, b := range receptionReports(p) {
				t.q.report(dirIn, b)
			}
		}
		return w.Write(pkts, a)
	})
}

// tapFactory builds the tap for one session's PeerConnection.
type tapFactory struct{ q *quality }

func (f tapFactory) NewInterceptor(string) (interceptor.Interceptor, error) {
	return &rtcpTap{q: f.q}, nil
}

// receptionReports returns the reception report blocks of an RTCP receiver
// or sender report (RFC 3550 §6.4), none for other packets.
func receptionReports(p rtcp.Packet) []rtcp.ReceptionReport {
	switch p := p.(type) {
	case *rtcp.ReceiverReport:
		return p.Reports
	case *rtcp.SenderReport:
		return p.Reports
	}
	return nil
}
