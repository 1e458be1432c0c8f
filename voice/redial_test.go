package voice

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/voice/voicemetrics"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

// TestRedialLinksSessions: a caller that lost its call dials again naming
// the old session; the two are linked in the events and the records, and
// the old session, still open here, ends as redialed.
func TestRedialLinksSessions(t *testing.T) {
	ts := startServer(t, loopbackConfig(t))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	first := voicetest.NewCaller(t, ts.base, voicetest.CallerOptions{})
	if _, err := first.Call(ctx); err != nil {
		t.Fatal(err)
	}
	voicetest.WaitFor(t, "first call connected", first.Connected(), 10*time.Second)
	oldID := first.Location[strings.LastIndex(first.Location, "/")+1:]

	bad := voicetest.NewCaller(t, ts.base, voicetest.CallerOptions{Header: map[string]string{HeaderRedialOf: "../../etc/passwd"}})
	if resp, err := bad.Call(ctx); err == nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("redial naming no session ID: %v, want 400", err)
	}

	second := voicetest.NewCaller(t, ts.base, voicetest.CallerOptions{Header: map[string]string{HeaderRedialOf: oldID}})
	if _, err := second.Call(ctx); err != nil {
		t.Fatal(err)
	}
	voicetest.WaitFor(t, "redialled call connected", second.Connected(), 10*time.Second)
	newID := second.Location[strings.LastIndex(second.Location, "/")+1:]
	voicetest.Eventually(t, 5*time.Second, "old session ended", func() bool { return ts.ActiveSessions() == 1 })

	if got := ts.logs.Find(EventSessionStarted, map[string]any{"session_id": newID, "redial_of": oldID}); len(got) != 1 {
		t.Errorf("session.started of the new session does not name the old one: %v", got)
	}
	if got := ts.logs.Find(EventSessionEnded, map[string]any{"session_id": oldID, "reason": endRedialed, "outcome": voicemetrics.OutcomeAbandoned}); len(got) != 1 {
		t.Errorf("old session did not end as redialed/abandoned: %v", got)
	}
	if _, err := second.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	voicetest.Eventually(t, 5*time.Second, "sessions ended", func() bool { return ts.ActiveSessions() == 0 })
	rec, err := ts.store.Get(ctx, newID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.RedialOf != oldID {
		t.Errorf("new session's record redial_of = %q, want %q", rec.RedialOf, oldID)
	}
}
