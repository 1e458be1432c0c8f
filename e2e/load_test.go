package e2e

import (
	"bufio"
	"context"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/internal/netns"
	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/webrtc"
)

// TestLoadScannerFlood measures legitimate WHIP latency (the probe's
// signaling phase: POST /whip → 201 with the answer) from pion callers for
// 60 s without and 60 s with a scanner flood at a fixed rate, and the
// sidecar's memory and series count before and after. It takes about three
// minutes, so it runs only with VOICEWATCH_E2E_LOAD=1; results are recorded
// in docs/benchmarks.md ("Scanner flood while pion clients call").
func TestLoadScannerFlood(t *testing.T) {
	if os.Getenv("VOICEWATCH_E2E_LOAD") != "1" {
		t.Skip("set VOICEWATCH_E2E_LOAD=1 to run the 2-minute load test")
	}
	requireParts(t, false)
	buildBinaries(t)
	if !netns.Run(t) {
		return
	}
	const (
		phase     = 60 * time.Second
		floodRate = 200 // scanner requests per second
		callers   = 2
	)
	s := startStack(t)
	waitProbesHealthy(t, s)
	rss0, series0 := s.sidecarFootprint(t)

	base := placeCalls(t, s, callers, phase)
	var flooded []time.Duration
	var sent int
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); sent = flood(t, addr(s.voicePort), floodRate, phase) }() // owner: this test; ends after phase
	flooded = placeCalls(t, s, callers, phase)
	wg.Wait()
	rss1, series1 := s.sidecarFootprint(t)

	p50b, p99b := pct(base, 50), pct(base, 99)
	p50f, p99f := pct(flooded, 50), pct(flooded, 99)
	t.Logf("WHIP latency without flood: %d calls, p50 %s, p99 %s", len(base), p50b, p99b)
	t.Logf("WHIP latency with %d/s scanner flood (%d answered): %d calls, p50 %s, p99 %s (%+.1f%%)",
		floodRate, sent, len(flooded), p50f, p99f, 100*(float64(p99f)/float64(p99b)-1))
	t.Logf("sidecar: RSS %.1f → %.1f MiB, series %d → %d", float64(rss0)/(1<<20), float64(rss1)/(1<<20), series0, series1)
	if len(base) < 20 || len(flooded) < 20 {
		t.Fatalf("too few calls: %d and %d", len(base), len(flooded))
	}
	if sent < floodRate*int(phase/time.Second)*9/10 {
		t.Errorf("flood: %d requests answered, want ≥ 90%% of %d", sent, floodRate*int(phase/time.Second))
	}
	// The target is 10 %; on a shared 2-core machine the p99 of ~100 calls
	// is the tail of a few, so allow a floor of 5 ms of jitter.
	if p99f > p99b+max(p99b/10, 5*time.Millisecond) {
		t.Errorf("WHIP p99 with the flood %s, without %s: more than 10%% (or 5 ms) slower", p99f, p99b)
	}
	if series1 > series0+200 {
		t.Errorf("sidecar series grew from %d to %d under the flood: scanner paths must not become label values", series0, series1)
	}
	if rss1 > rss0+64<<20 {
		t.Errorf("sidecar RSS grew from %d to %d bytes", rss0, rss1)
	}
}

// placeCalls runs n pion callers placing calls back to back for d and
// returns the WHIP signaling latency of every successful call; a failed
// call fails the test.
func placeCalls(t *testing.T, s *stack, n int, d time.Duration) []time.Duration {
	out, failed := callBackToBack(t, s.voiceURL, n, d)
	if len(failed) > 0 {
		t.Errorf("%d calls failed", len(failed))
	}
	return out
}

// callBackToBack runs n pion callers (from 127.0.0.1) placing calls to
// voiceURL back to back for d. It returns the WHIP signaling latency of
// every successful call and the failure of every other one (nil when the
// probe reported none).
func callBackToBack(t *testing.T, voiceURL string, n int, d time.Duration) (signaling []time.Duration, failed []*probes.Failure) {
	wait := false
	p, err := webrtc.New(webrtc.Config{Target: voiceURL + "/whip", Token: whipToken, Loopback: true, WaitForAudio: &wait})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() { // owner: callBackToBack; ends with ctx
			defer wg.Done()
			for ctx.Err() == nil {
				cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
				r := p.Probe(cctx)
				ccancel()
				sig, ok := r.Phases.Get("signaling")
				mu.Lock()
				if r.Success && ok {
					signaling = append(signaling, sig)
				} else {
					failed = append(failed, r.Failure)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return signaling, failed
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, (len(s)*p+99)/100-1)].Round(10 * time.Microsecond)
}

// sidecarFootprint returns the sidecar's RSS (from /proc: its /metrics has
// no process collector) and the number of series on its /metrics.
func (s *stack) sidecarFootprint(t *testing.T) (rss int64, series int) {
	if b, err := os.ReadFile("/proc/" + strconv.Itoa(s.sidecar.cmd.Process.Pid) + "/status"); err == nil {
		for line := range strings.Lines(string(b)) {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				rss = kb << 10
			}
		}
	}
	resp, err := http.Get("http://" + addr(s.sidecarPort) + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		series++
	}
	return rss, series
}
