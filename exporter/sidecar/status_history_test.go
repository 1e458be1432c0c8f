package sidecar

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/probes"
)

// The status page shows, per probe, when it last ran, its interval, when
// it runs next, and its last 20 results as a strip, oldest first.
func TestStatusPageRunHistory(t *testing.T) {
	var hits atomic.Int64
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if hits.Add(1)%2 == 0 {
			http.Error(w, "down", http.StatusServiceUnavailable)
		}
	}))
	defer flaky.Close()
	sc := startSidecar(t, fmt.Sprintf(`
probes:
  interval: 30ms
  intervals: {slow: 1h}
  suite:
    probes:
      - {name: flaky, kind: http, target: %q}
      - {name: slow, kind: http, target: %q}
`, flaky.URL, flaky.URL), WithJitter(func(time.Duration) time.Duration { return 0 }))
	deadline := time.Now().Add(time.Minute)
	for hits.Load() < 30 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d probe runs in a minute", hits.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	_, page := get(t, sc.base+"/")
	rows := regexp.MustCompile(`(?s)<tr class="probe">(.*?)</tr>`).FindAllStringSubmatch(page, -1)
	if len(rows) != 2 {
		t.Fatalf("want 2 probe rows, got %d:\n%s", len(rows), page)
	}
	flakyRow, slowRow := rows[0][1], rows[1][1]
	strip := regexp.MustCompile(`<td class="strip">(.*?)</td>`)
	marks := strings.Count(strip.FindStringSubmatch(flakyRow)[1], "<span")
	if marks != historyLen {
		t.Errorf("flaky probe strip has %d results, want the last %d", marks, historyLen)
	}
	if s := strip.FindStringSubmatch(flakyRow)[1]; !strings.Contains(s, "✓") || !strings.Contains(s, `class="fail" title="`) || !strings.Contains(s, "http_status in") {
		t.Errorf("strip lacks passes, failures or their reason:\n%s", s)
	}
	for _, want := range []string{`<td class="interval">30ms</td>`, " ago)</td>"} {
		if !strings.Contains(flakyRow, want) {
			t.Errorf("flaky row lacks %q:\n%s", want, flakyRow)
		}
	}
	// The slow probe ran at start-up and then at once (jitter 0); its next
	// run is an hour away.
	if !strings.Contains(slowRow, `<td class="interval">1h0m0s</td>`) || !regexp.MustCompile(`<td class="next-run">\d\d:\d\d:\d\d \(in (59m\d+s|1h0m0s)\)</td>`).MatchString(slowRow) {
		t.Errorf("slow row lacks its interval or next run:\n%s", slowRow)
	}
	if n := strings.Count(strip.FindStringSubmatch(slowRow)[1], "<span"); n != 2 {
		t.Errorf("slow probe strip has %d results, want 2 (start-up and the first scheduled run)", n)
	}
}

func TestProbeHistoryKeepsLast20(t *testing.T) {
	now := time.Unix(1000, 0)
	h := newProbeHistory(func() time.Time { return now }, []time.Duration{time.Minute})
	for i := range 25 {
		now = now.Add(time.Second)
		r := probes.Result{Success: i%5 != 0}
		if !r.Success {
			r.Failure = &probes.Failure{Phase: "connect", Reason: probes.ReasonTimeout}
		}
		h.ran(0, r)
	}
	h.scheduled(0, time.Minute)
	st := h.snapshot()[0]
	if len(st.History) != historyLen || !st.History[0].At.Equal(time.Unix(1006, 0)) || !st.History[19].At.Equal(time.Unix(1025, 0)) {
		t.Errorf("history %d entries from %v to %v, want the last 20 (1006 to 1025)", len(st.History), st.History[0].At, st.History[len(st.History)-1].At)
	}
	if !st.LastRun.Equal(time.Unix(1025, 0)) || !st.NextRun.Equal(time.Unix(1085, 0)) || st.Interval != time.Minute {
		t.Errorf("state %+v", st)
	}
	if st.History[5].Success || st.History[5].Reason != string(probes.ReasonTimeout) {
		t.Errorf("run 10 should be a timeout failure: %+v", st.History[5])
	}
	var nilH *probeHistory
	nilH.ran(0, probes.Result{}) // no-op, no panic
}
