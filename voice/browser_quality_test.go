package voice

import (
	"math"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/voicewatch/voicewatch/voice/voicemetrics"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

// pageQuality is window.voicewatchQuality.last: the test page's latest
// getStats sample (quality.js).
type pageQuality struct {
	PacketsLost       *float64 `json:"packetsLost"`
	PacketsReceived   *float64 `json:"packetsReceived"`
	Jitter            *float64 `json:"jitter"`
	RTT               *float64 `json:"rtt"`
	RTCPRTT           *float64 `json:"rtcpRtt"`
	RemotePacketsLost *float64 `json:"remotePacketsLost"`
	RemoteJitter      *float64 `json:"remoteJitter"`
	MicLevel          *float64 `json:"micLevel"`
}

// TestBrowserQualityAgrees places a call from the test page in headless
// Chromium (fake microphone, greeting on so the bot talks) and compares what
// the page reads from Chromium's getStats with what the media core measured
// from RTCP, within these tolerances (loopback, so both sides see almost
// no loss):
//
//   - bot → browser loss: inbound-rtp packetsLost vs
//     voice_rtp_packets_lost_total{direction="out"}: ± 2 packets (the
//     media core learns it from Chromium's next receiver report);
//   - browser → bot loss: remote-inbound-rtp packetsLost (the media core's
//     own receiver reports, as Chromium received them) vs
//     voice_rtp_packets_lost_total{direction="in"}: ± 2 packets;
//   - jitter of the bot's audio: inbound-rtp jitter vs the mean of the
//     jitter Chromium reported over RTCP (voice_rtp_jitter_seconds{direction="out"}):
//     ± 10 ms;
//   - round trip: candidate-pair currentRoundTripTime (ICE) vs the mean RTCP
//     RTT (voice_rtt_seconds): ± 20 ms.
//
// It also checks the page's charts show values.
func TestBrowserQualityAgrees(t *testing.T) {
	if _, ok := browserTest(t); !ok {
		return
	}
	cfg := loopbackConfig(t)
	greet := true
	cfg.Audio.Greeting = &greet
	cfg.Audio.BargeIn = BargeInIgnore // Chromium's fake microphone beeps: let the bot keep talking
	ts := startServer(t, cfg)
	p := openPage(t, ts.base)
	ctx := p.ctx
	p.do("call", 20*time.Second, chromedp.Click(chromedp.ID("call")), chromedp.WaitVisible(chromedp.CSS(`#state[data-state="connected"]`)))
	// Wait until both sides have RTCP-derived numbers: the page's sample
	// has jitter, RTTs and the media core's reports; the media core has
	// Chromium's reports and an RTT.
	var page pageQuality
	deadline := time.Now().Add(20 * time.Second)
	for {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[pageQuality](`window.voicewatchQuality.last || {}`))
		if err != nil {
			t.Fatal(err)
		}
		page = v
		ready := page.Jitter != nil && page.RTT != nil && page.RemotePacketsLost != nil && page.PacketsLost != nil &&
			ts.metric(t, voicemetrics.MetricRTT) >= 2 && ts.metric(t, voicemetrics.MetricRTPJitter, voicemetrics.LabelDirection, voicemetrics.DirectionOut) >= 2
		if ready {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no RTCP numbers on both sides within 20 s: page %+v, media core rtt %v", page, ts.metric(t, voicemetrics.MetricRTT))
		}
		time.Sleep(250 * time.Millisecond)
	}
	mean := func(name string, labels ...string) float64 {
		h := voicetest.Series(t, ts.reg, name, labels...)[0].Histogram
		return h.GetSampleSum() / float64(h.GetSampleCount())
	}
	lostOut := ts.metric(t, voicemetrics.MetricRTPPacketsLost, voicemetrics.LabelDirection, voicemetrics.DirectionOut)
	lostIn := ts.metric(t, voicemetrics.MetricRTPPacketsLost, voicemetrics.LabelDirection, voicemetrics.DirectionIn)
	jitterOut := mean(voicemetrics.MetricRTPJitter, voicemetrics.LabelDirection, voicemetrics.DirectionOut)
	rtt := mean(voicemetrics.MetricRTT)
	t.Logf("chromium: lost %v, jitter %.2f ms, ICE RTT %.2f ms, remote lost %v; media core: lost out %v in %v, jitter out %.2f ms, RTT %.2f ms",
		*page.PacketsLost, *page.Jitter*1000, *page.RTT*1000, *page.RemotePacketsLost, lostOut, lostIn, jitterOut*1000, rtt*1000)
	if d := math.Abs(*page.PacketsLost - lostOut); d > 2 {
		t.Errorf("bot → browser loss: getStats %v packets, media core %v (± 2)", *page.PacketsLost, lostOut)
	}
	if d := math.Abs(*page.RemotePacketsLost - lostIn); d > 2 {
		t.Errorf("browser → bot loss: getStats remote-inbound %v packets, media core %v (± 2)", *page.RemotePacketsLost, lostIn)
	}
	if d := math.Abs(*page.Jitter - jitterOut); d > 0.010 {
		t.Errorf("jitter of the bot's audio: getStats %.2f ms, media core %.2f ms (± 10 ms)", *page.Jitter*1000, jitterOut*1000)
	}
	if d := math.Abs(*page.RTT - rtt); d > 0.020 {
		t.Errorf("round trip: getStats %.2f ms, media core %.2f ms (± 20 ms)", *page.RTT*1000, rtt*1000)
	}
	for _, id := range []string{"q-loss-now", "q-jitter-now", "q-rtt-now", "q-level-now"} {
		txt, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
		if err != nil || txt == "" || txt == "–" {
			t.Errorf("chart %s shows %q (%v)", id, txt, err)
		}
	}
	p.do("hang up", 5*time.Second, chromedp.Click(chromedp.ID("hangup")))
	voicetest.Eventually(t, 10*time.Second, "session end", func() bool { return ts.ActiveSessions() == 0 })
	if ended := ts.logs.Find(EventSessionEnded, nil); len(ended) != 1 || ended[0]["mos"] == nil {
		t.Errorf("session.ended without a MOS: %v", ended)
	}
}
