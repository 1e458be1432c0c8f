package voice

import (
	"log/slog"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/voice/voicetest"
)

// TestPionLogRateLimited: a flood of pion errors becomes a few JSON lines
// and a count of what was dropped, not 20,000 plain-text lines a second.
func TestPionLogRateLimited(t *testing.T) {
	logs := &voicetest.LogBuffer{}
	now := time.Unix(1_700_000_000, 0)
	f := newPionLogFactory(slog.New(slog.NewJSONHandler(logs, nil)), slog.LevelError, func() time.Time { return now })
	l := f.NewLogger("ice")
	for i := range 20_000 {
		l.Errorf("attribute size overflow %d", i)
		l.Warnf("below the threshold %d", i)
	}
	lines := logs.Events()
	if len(lines) != pionLogBurst {
		t.Fatalf("%d lines for 20,000 errors in one instant, want %d", len(lines), pionLogBurst)
	}
	for _, e := range lines {
		if e["component"] != "pion" || e["scope"] != "ice" || e["level"] != "ERROR" {
			t.Fatalf("line %v: want component pion, scope ice, level ERROR", e)
		}
	}
	now = now.Add(time.Second)
	l.Error("after a second")
	last := logs.Events()[len(logs.Events())-1]
	if last["msg"] != "after a second" || last["suppressed"] != float64(20_000-pionLogBurst) {
		t.Errorf("next line %v: want suppressed %d", last, 20_000-pionLogBurst)
	}
}
