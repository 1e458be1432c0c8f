package voice

import (
	"context"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/voice/voicemetrics"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

// TestSelectedPairPeerReflexive: a caller whose connectivity checks reach
// the media core before its candidates do (a trickling browser behind a
// relay, TestBrowserCallTURNTLS) makes its address a peer-reflexive
// candidate. The selected pair is counted as the candidate the caller
// signals when the PATCH comes within prflxGrace, as prflx when it never
// does, and once in either case, also when the call ends sooner.
func TestSelectedPairPeerReflexive(t *testing.T) {
	ts := startServer(t, loopbackConfig(t))
	pairs := func(remote string) float64 {
		return ts.metric(t, voicemetrics.MetricICESelectedPairs, voicemetrics.LabelRemoteType, remote)
	}
	total := func() float64 { return pairs("host") + pairs("srflx") + pairs("prflx") + pairs("relay") }
	connected := func() float64 {
		return ts.metric(t, voicemetrics.MetricConnections, voicemetrics.LabelResult, voicemetrics.ConnectionConnected)
	}
	call := func(t *testing.T) *voicetest.Caller {
		t.Helper()
		connectedBefore := connected()
		c := voicetest.NewCaller(t, ts.base, voicetest.CallerOptions{WithholdCandidates: true})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := c.Call(ctx); err != nil {
			t.Fatal(err)
		}
		voicetest.WaitFor(t, "connected with the candidates withheld", c.Connected(), 10*time.Second)
		voicetest.Eventually(t, 5*time.Second, "the media core connected", func() bool { return connected() == connectedBefore+1 })
		return c
	}
	hangup := func(t *testing.T, c *voicetest.Caller) {
		t.Helper()
		if _, err := c.Hangup(context.Background()); err != nil {
			t.Fatal(err)
		}
		voicetest.Eventually(t, 5*time.Second, "session end", func() bool { return ts.ActiveSessions() == 0 })
	}

	t.Run("signalled after the check", func(t *testing.T) {
		before := total()
		c := call(t)
		if got := total() - before; got != 0 {
			t.Fatalf("a peer-reflexive pair was counted at once (%v), before the caller could signal it", got)
		}
		if _, err := c.TrickleCandidates(context.Background()); err != nil {
			t.Fatal(err)
		}
		voicetest.Eventually(t, 3*prflxGrace, "the pair counted", func() bool { return total()-before == 1 })
		if got := pairs("prflx"); got != 0 {
			t.Errorf("counted as prflx (%v) although the caller signalled its candidate", got)
		}
		if got := pairs("host"); got != 1 {
			t.Errorf("pairs with a host remote = %v, want 1 (the candidate the caller signalled)", got)
		}
		hangup(t, c)
		if got := total() - before; got != 1 {
			t.Errorf("%v pairs counted for one connection, want 1", got)
		}
	})

	t.Run("never signalled", func(t *testing.T) {
		before, prflx := total(), pairs("prflx")
		c := call(t)
		voicetest.Eventually(t, 3*prflxGrace, "the pair counted", func() bool { return total()-before == 1 })
		if got := pairs("prflx") - prflx; got != 1 {
			t.Errorf("prflx pairs +%v, want +1", got)
		}
		hangup(t, c)
		if got := total() - before; got != 1 {
			t.Errorf("%v pairs counted for one connection, want 1", got)
		}
	})

	t.Run("call shorter than the wait", func(t *testing.T) {
		before := total()
		c := call(t)
		hangup(t, c)
		if got := total() - before; got != 1 {
			t.Errorf("%v pairs counted for a call that ended within prflxGrace, want 1", got)
		}
		if ev := ts.logs.Find(EventICESelectedPair, map[string]any{"remote_type": "prflx"}); len(ev) != 2 {
			t.Errorf("ice.selected_pair events with remote_type prflx: %d, want 2 (this call and the one never signalled)", len(ev))
		}
	})
}
