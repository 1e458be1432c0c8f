package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/voicewatch/voicewatch/probes"
	pwebrtc "github.com/voicewatch/voicewatch/probes/webrtc"
)

type syntheticCallerConfig struct {
	base     string
	interval time.Duration
	calls    int
	turnAddr string
	// turnSecret is the embedded TURN server's REST secret (never printed).
	turnSecret string
	stdout     io.Writer
	log        *slog.Logger
}

// runSyntheticCaller places a short echo call every interval with the WebRTC
// probe, alternating direct calls and relay-only calls through the embedded
// TURN server, and prints one line per call.
func runSyntheticCaller(ctx context.Context, c syntheticCallerConfig) error {
	// The callers talk over the greeting (the media core stops it on
	// barge-in) with a short utterance, and stay on long enough for RTCP
	// to measure the round trip: a call takes about 2.5 s.
	direct, err := pwebrtc.New(pwebrtc.Config{Target: c.base + "/whip", Loopback: true,
		Greeting: pwebrtc.GreetingInterrupt, ToneDuration: 400 * time.Millisecond, Hold: 1500 * time.Millisecond}, pwebrtc.WithLogger(c.log))
	if err != nil {
		return fmt.Errorf("synthetic caller: %w", err)
	}
	relay, err := pwebrtc.New(pwebrtc.Config{Target: c.base + "/whip", Loopback: true, RelayOnly: true,
		Greeting: pwebrtc.GreetingInterrupt, ToneDuration: 400 * time.Millisecond, Hold: 1500 * time.Millisecond,
		ICEServers: []pwebrtc.ICEServer{{URL: "turn:" + c.turnAddr + "?transport=udp", Username: "demo", Secret: c.turnSecret}},
	}, pwebrtc.WithLogger(c.log))
	if err != nil {
		return fmt.Errorf("synthetic caller: %w", err)
	}
	t := time.NewTimer(time.Second) // first call soon after start
	defer t.Stop()
	for n := 1; c.calls == 0 || n <= c.calls; n++ {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		p, kind := direct, "direct"
		if n%2 == 0 {
			p, kind = relay, "relay-only"
		}
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		r := p.Probe(cctx)
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		fmt.Fprintln(c.stdout, callLine(n, kind, r))
		t.Reset(c.interval)
	}
	return nil
}

func callLine(n int, kind string, r probes.Result) string {
	if !r.Success {
		return fmt.Sprintf("call %d (%s): FAILED in %s: %s: %s", n, kind, r.Failure.Phase, r.Failure.Reason, r.Failure.Message())
	}
	var connected time.Duration
	for _, ph := range r.Phases { // phases are sequential: setup is their sum up to connected
		connected += ph.Duration
		if ph.Name == "connected" {
			break
		}
	}
	return fmt.Sprintf("call %d (%s): connected in %s via %s/%s, bot replied %s after the caller stopped talking",
		n, kind, connected.Round(time.Millisecond), r.Details[probes.DetailLocalCandidate], r.Details[probes.DetailRemoteCandidate],
		r.Details["response_latency"])
}
