package voice

import (
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/voicewatch/voicewatch/voice/store"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

func TestRoundTripFromLSRAndDLSR(t *testing.T) {
	sent := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	lsr := uint32(ntpTime(sent) >> 16)
	for _, tc := range []struct {
		name    string
		lsr     uint32
		dlsr    time.Duration
		arrival time.Time
		want    time.Duration
		ok      bool
	}{
		{"80 ms RTT after a 500 ms hold", lsr, 500 * time.Millisecond, sent.Add(580 * time.Millisecond), 80 * time.Millisecond, true},
		{"no sender report yet", 0, 0, sent.Add(time.Second), 0, false},
		{"arrival before the hold ends (clock step)", lsr, 2 * time.Second, sent.Add(time.Second), 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := roundTrip(rtcp.ReceptionReport{LastSenderReport: tc.lsr, Delay: uint32(tc.dlsr.Seconds() * 65536)}, tc.arrival)
			if ok != tc.ok || (ok && (got-tc.want).Abs() > time.Millisecond) {
				t.Errorf("roundTrip = %v, %v; want %v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

// Cumulative loss in successive reports becomes counter increments; a
// report that goes backwards (reordering, a new sender) adds nothing.
func TestQualityCountsLossDeltas(t *testing.T) {
	reg := prometheus.NewRegistry()
	q := newQuality(newMetrics(reg), CodecPCMU)
	for _, lost := range []uint32{0, 3, 3, 10, 4} {
		q.report(dirIn, rtcp.ReceptionReport{SSRC: 7, TotalLost: lost, Jitter: 80}) // 80/8000 = 10 ms
	}
	if got := voicetest.Metric(t, reg, voicemetrics.MetricRTPPacketsLost, voicemetrics.LabelDirection, voicemetrics.DirectionIn); got != 10 {
		t.Errorf("lost in = %v, want 10", got)
	}
	if got := voicetest.Metric(t, reg, voicemetrics.MetricRTPJitter, voicemetrics.LabelDirection, voicemetrics.DirectionIn); got != 5 {
		t.Errorf("jitter observations = %v, want 5 (one per report)", got)
	}
	q.received.Store(90)
	// The caller's last report covers packets 0..99 of the 120 sent, 5 lost:
	// the outbound ratio is over those 100.
	q.sent.Store(120)
	q.remoteReport(rtcp.ReceptionReport{SSRC: 1, TotalLost: 5, LastSequenceNumber: 99}, time.Now())
	s := q.summary()
	if !s.ok || s.lossIn != 0.1 || s.jitterIn != 10*time.Millisecond || s.lossOut != 0.05 {
		t.Errorf("summary = %+v, want loss in 0.1, jitter 10ms, loss out 0.05", s)
	}
}

// A clean loopback call: both directions report, RTT is measured, and the
// session's MOS — in the metric, the session.ended event and the stored
// record — is a clean call's (the E-model gives 4.41 with no impairment).
func TestCallQualityFromRTCPReports(t *testing.T) {
	ts := startServer(t, loopbackConfig(t))
	ctx, c := ts.call(t, 30*time.Second)
	voicetest.WaitFor(t, "connected", c.Connected(), 10*time.Second)
	// Speak until the caller's receiver reports about the bot's echo carry
	// an RTT (the bot's sender report, then the caller's next report: two
	// report intervals after the echo starts).
	deadline := time.Now().Add(20 * time.Second)
	for ts.metric(t, voicemetrics.MetricRTT) == 0 || ts.metric(t, voicemetrics.MetricRTPJitter, voicemetrics.LabelDirection, voicemetrics.DirectionIn) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no RTT or inbound report after 20 s: rtt %v, jitter in %v, jitter out %v", ts.metric(t, voicemetrics.MetricRTT),
				ts.metric(t, voicemetrics.MetricRTPJitter, voicemetrics.LabelDirection, voicemetrics.DirectionIn),
				ts.metric(t, voicemetrics.MetricRTPJitter, voicemetrics.LabelDirection, voicemetrics.DirectionOut))
		}
		if _, err := c.Speak(ctx, 400*time.Millisecond, 600*time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	voicetest.Eventually(t, 5*time.Second, "session end", func() bool { return ts.ActiveSessions() == 0 })
	if n := ts.metric(t, voicemetrics.MetricRTPJitter, voicemetrics.LabelDirection, voicemetrics.DirectionOut); n == 0 {
		t.Error("no jitter observation for the outbound direction (the caller's reports)")
	}
	mos := voicetest.Series(t, ts.reg, voicemetrics.MetricSessionMOS)
	if len(mos) != 1 || mos[0].Histogram.GetSampleCount() != 1 {
		t.Fatalf("voice_session_mos: %v, want one observation", mos)
	}
	if m := mos[0].Histogram.GetSampleSum(); m < 3.5 || m > 5 {
		t.Errorf("MOS of a clean loopback call = %.2f, want in [3.5, 5]", m)
	}
	rtt := voicetest.Series(t, ts.reg, voicemetrics.MetricRTT)[0].Histogram
	if mean := rtt.GetSampleSum() / float64(rtt.GetSampleCount()); mean > 0.05 {
		t.Errorf("mean RTT on loopback = %v s, want < 50 ms", mean)
	}
	ended := ts.logs.Find(EventSessionEnded, nil)
	if len(ended) != 1 {
		t.Fatalf("session.ended lines: %d", len(ended))
	}
	for _, k := range []string{"mos", "packet_loss_in", "packet_loss_out", "jitter_in_seconds", "jitter_out_seconds", "rtt_seconds"} {
		if _, ok := ended[0][k]; !ok {
			t.Errorf("session.ended has no %s: %v", k, ended[0])
		}
	}
	t.Logf("session.ended: mos %.2f loss in %v out %v jitter in %v out %v rtt %v", ended[0]["mos"], ended[0]["packet_loss_in"],
		ended[0]["packet_loss_out"], ended[0]["jitter_in_seconds"], ended[0]["jitter_out_seconds"], ended[0]["rtt_seconds"])
	if l := ended[0]["packet_loss_in"].(float64); l != 0 {
		t.Errorf("loss in on loopback = %v, want 0", l)
	}
	id := c.Location[len("/whip/"):]
	var rec store.Record
	voicetest.Eventually(t, 5*time.Second, "the ended record", func() bool {
		r, err := ts.store.Get(ctx, id)
		rec = r
		return err == nil && r.State == stateEnded
	})
	if rec.MOS != ended[0]["mos"].(float64) || rec.RTTSeconds == 0 {
		t.Errorf("record MOS %v RTT %v, event MOS %v", rec.MOS, rec.RTTSeconds, ended[0]["mos"])
	}
}
