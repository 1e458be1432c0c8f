package voice

import (
	"context"
	"testing"
	"time"

	"github.com/pion/transport/v5/vnet"

	"github.com/voicewatch/voicewatch/voice/voicetest"
)

// qualityLink is one end's link in the quality lab: loss and delay of what
// that end receives.
func qualityLink(t *testing.T, wan *vnet.Router, ip string, lossPercent int, delay time.Duration) *vnet.Net {
	t.Helper()
	n, err := vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{ip}})
	must(t, err)
	var nic vnet.NIC = n
	if delay > 0 {
		df, err := vnet.NewDelayFilter(nic, vnet.WithDelay(delay))
		must(t, err)
		t.Cleanup(func() { _ = df.Close() })
		nic = df
	}
	if lossPercent > 0 {
		lf, err := vnet.NewLossFilter(nic, lossPercent)
		must(t, err)
		nic = lf
	}
	must(t, wan.AddNet(nic))
	return n
}

// TestQualityLab places one call per network condition on a pion vnet and
// checks what the media core reports at the session's end against what
// the network did and what the E-model (voice/emodel) predicts:
//
//	condition             loss in/out        RTT            MOS
//	clean (10 ms RTT)     0                  8–30 ms        ≥ 4.3 (4.41 ideal)
//	5 % loss each way     0.01–0.10          8–30 ms        3.5–4.2 (3.92 at 5 %)
//	15 % loss each way    0.08–0.24          8–30 ms        2.4–3.5 (2.98 at 15 %)
//	300 ms RTT, no loss   0                  280–400 ms     4.2–4.41 (4.39)
//
// Loss is random (vnet's loss filter on each end's inbound link), so the
// ranges allow for a few hundred packets' sampling error; the MOS takes the
// worse direction. Jitter stays under 20 ms: vnet adds none of its own.
// Every condition has some delay: with none, an RTT from SR/RR rounds to 0
// (LSR/DLSR count 1/65536 s), which cannot be told from no RTT at all.
func TestQualityLab(t *testing.T) {
	if testing.Short() {
		t.Skip("quality lab: one multi-second call per condition")
	}
	for _, sc := range []struct {
		name             string
		loss             int
		oneWay           time.Duration
		lossMin, lossMax float64
		rttMin, rttMax   time.Duration
		mosMin, mosMax   float64
	}{
		{"clean", 0, 5 * time.Millisecond, 0, 0, 8 * time.Millisecond, 30 * time.Millisecond, 4.3, 4.42},
		{"5 % loss", 5, 5 * time.Millisecond, 0.01, 0.10, 8 * time.Millisecond, 30 * time.Millisecond, 3.5, 4.2},
		{"15 % loss", 15, 5 * time.Millisecond, 0.08, 0.24, 8 * time.Millisecond, 30 * time.Millisecond, 2.4, 3.5},
		{"300 ms RTT", 0, 150 * time.Millisecond, 0, 0, 280 * time.Millisecond, 400 * time.Millisecond, 4.2, 4.42},
	} {
		t.Run(sc.name, func(t *testing.T) {
			wan, err := vnet.NewRouter(&vnet.RouterConfig{CIDR: "0.0.0.0/0", LoggerFactory: quietLogs()})
			must(t, err)
			serverNet := qualityLink(t, wan, labServerPub, sc.loss, sc.oneWay)
			clientNet := qualityLink(t, wan, labClientPub, sc.loss, sc.oneWay)
			must(t, wan.Start())
			t.Cleanup(func() { _ = wan.Stop() })

			cfg := loopbackConfig(t)
			cfg.ICE.Interfaces = nil
			cfg.ICE.IncludeLoopback = false
			ts := startServer(t, cfg, WithNet(serverNet))
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			c := voicetest.NewCaller(t, ts.base, voicetest.CallerOptions{Net: clientNet})
			if _, err := c.Call(ctx); err != nil {
				t.Fatal(err)
			}
			voicetest.WaitFor(t, "connected", c.Connected(), 30*time.Second)
			// Six utterances, each echoed: ~300 packets each way and
			// several RTCP reports in both directions.
			for range 6 {
				if _, err := c.Speak(ctx, 500*time.Millisecond, 900*time.Millisecond); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := c.Hangup(ctx); err != nil {
				t.Fatal(err)
			}
			voicetest.Eventually(t, 10*time.Second, "session end", func() bool { return ts.ActiveSessions() == 0 })
			ended := ts.logs.Find(EventSessionEnded, nil)
			if len(ended) != 1 || ended[0]["mos"] == nil {
				t.Fatalf("session.ended without quality: %v", ended)
			}
			e := ended[0]
			f := func(k string) float64 { return e[k].(float64) }
			t.Logf("loss in %.3f out %.3f, jitter in %.1f ms out %.1f ms, RTT %.1f ms, MOS %.2f", f("packet_loss_in"), f("packet_loss_out"),
				f("jitter_in_seconds")*1000, f("jitter_out_seconds")*1000, f("rtt_seconds")*1000, f("mos"))
			for _, k := range []string{"packet_loss_in", "packet_loss_out"} {
				if v := f(k); v < sc.lossMin || v > sc.lossMax {
					t.Errorf("%s = %.3f, want in [%.2f, %.2f]", k, v, sc.lossMin, sc.lossMax)
				}
			}
			if rtt := time.Duration(f("rtt_seconds") * float64(time.Second)); rtt <= sc.rttMin && sc.rttMin > 0 || rtt > sc.rttMax || rtt == 0 {
				t.Errorf("RTT %v, want in (%v, %v]", rtt, sc.rttMin, sc.rttMax)
			}
			for _, k := range []string{"jitter_in_seconds", "jitter_out_seconds"} {
				if v := f(k); v > 0.020 {
					t.Errorf("%s = %.1f ms, want < 20 ms", k, v*1000)
				}
			}
			if m := f("mos"); m < sc.mosMin || m > sc.mosMax {
				t.Errorf("MOS %.2f, want in [%.2f, %.2f]", m, sc.mosMin, sc.mosMax)
			}
		})
	}
}
