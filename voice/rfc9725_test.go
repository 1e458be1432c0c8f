package voice

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/voicewatch/voicewatch/voice/voicemetrics"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

// deadSTUN is a UDP socket that reads STUN requests and never answers: the
// incident's single STUN server behind a closed port. Gathering against it
// lasts the STUN gather timeout (3 s by default).
func deadSTUN(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { _ = pc.Close(); <-done })
	return pc.LocalAddr().String()
}

// trickleClient is an RFC 9725 WHIP client written from the RFC, apart from
// the server code: it trickles every candidate in its own PATCH as soon as
// pion gathers it (as browsers do), and restarts ICE with a PATCH carrying
// If-Match: "*" right after it sets the restart offer, so the new
// generation's candidates race the restart PATCH to the server.
type trickleClient struct {
	t    *testing.T
	c    *voicetest.Caller
	url  string
	wg   sync.WaitGroup
	mu   sync.Mutex
	etag string // the ETag of the ICE session ...
	gen  string // ... whose local ufrag is this
	// statuses of the trickle PATCHes, in completion order.
	statuses []int
	answer   string
}

func newTrickleClient(t *testing.T, base string) *trickleClient {
	tc := &trickleClient{t: t, c: voicetest.NewCaller(t, base, voicetest.CallerOptions{})}
	tc.c.PC.OnICECandidate(tc.onCandidate)
	t.Cleanup(tc.wg.Wait)
	return tc
}

func (tc *trickleClient) call(ctx context.Context) error {
	resp, err := tc.c.Call(ctx) // the first offer carries its candidates (non-trickle)
	if err != nil {
		return err
	}
	tc.url = tc.c.SessionURL()
	tc.mu.Lock()
	tc.etag, tc.gen = resp.Header.Get("ETag"), localUfrag(tc.c.PC)
	tc.answer = tc.c.PC.RemoteDescription().SDP
	tc.mu.Unlock()
	if tc.etag == "" {
		return errors.New("201 without ETag (RFC 9725 §4.3)")
	}
	return nil
}

func localUfrag(pc *webrtc.PeerConnection) string {
	if m := ufragRE.FindStringSubmatch(pc.LocalDescription().SDP); m != nil {
		return m[1]
	}
	return ""
}

// onCandidate PATCHes one candidate at once, with If-Match when the client
// knows the ETag of the candidate's generation and without it otherwise.
func (tc *trickleClient) onCandidate(c *webrtc.ICECandidate) {
	if c == nil || tc.url == "" {
		return
	}
	local := tc.c.PC.LocalDescription().SDP
	ufrag, pwd := ufragRE.FindStringSubmatch(local)[1], pwdRE.FindStringSubmatch(local)[1]
	if u := c.ToJSON().UsernameFragment; u != nil && *u != "" {
		ufrag = *u // a late candidate of the previous generation
	}
	frag := "a=ice-ufrag:" + ufrag + "\r\na=ice-pwd:" + pwd + "\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\na=" + c.ToJSON().Candidate + "\r\n"
	tc.mu.Lock()
	ifMatch := ""
	if ufrag == tc.gen {
		ifMatch = tc.etag
	}
	tc.mu.Unlock()
	tc.wg.Add(1)
	go func() {
		defer tc.wg.Done()
		code, _, _, err := tc.patch(context.Background(), frag, ifMatch)
		if err != nil {
			code = -1
		}
		tc.mu.Lock()
		tc.statuses = append(tc.statuses, code)
		tc.mu.Unlock()
	}()
}

func (tc *trickleClient) patch(ctx context.Context, frag, ifMatch string) (int, string, string, error) {
	return tc.c.Patch(ctx, ifMatch, frag)
}

// restart does an ICE restart: new local credentials, a PATCH with
// If-Match: "*" sent before any new candidate is known (they trickle
// separately), then the server's new credentials and candidates applied.
func (tc *trickleClient) restart(ctx context.Context) (int, error) {
	offer, err := tc.c.PC.CreateOffer(&webrtc.OfferOptions{ICERestart: true})
	if err != nil {
		return 0, err
	}
	if err := tc.c.PC.SetLocalDescription(offer); err != nil {
		return 0, err
	}
	frag := "a=ice-ufrag:" + ufragRE.FindStringSubmatch(offer.SDP)[1] + "\r\n" +
		"a=ice-pwd:" + pwdRE.FindStringSubmatch(offer.SDP)[1] + "\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\n"
	code, etag, body, err := tc.patch(ctx, frag, "*")
	if err != nil || code != http.StatusOK {
		return code, err
	}
	if etag == "" {
		return code, errors.New("restart answer without ETag (RFC 9725 §4.3.2)")
	}
	tc.mu.Lock()
	sdp := candRE.ReplaceAllString(tc.answer, "")
	sdp = strings.ReplaceAll(sdp, "\r\n\r\n", "\r\n")
	sdp = ufragRE.ReplaceAllString(sdp, "a=ice-ufrag:"+ufragRE.FindStringSubmatch(body)[1])
	sdp = pwdRE.ReplaceAllString(sdp, "a=ice-pwd:"+pwdRE.FindStringSubmatch(body)[1])
	sdp = strings.Replace(sdp, "a=ice-pwd:", strings.Join(candRE.FindAllString(body, -1), "\r\n")+"\r\na=ice-pwd:", 1)
	tc.answer, tc.etag, tc.gen = sdp, etag, ufragRE.FindStringSubmatch(offer.SDP)[1]
	tc.mu.Unlock()
	return code, tc.c.PC.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp})
}

// speakAndHear sends an utterance and waits for the echo bot's audio after
// it, failing the test when none comes.
func (tc *trickleClient) speakAndHear(ctx context.Context, what string) {
	tc.t.Helper()
	last, err := tc.c.Speak(ctx, 400*time.Millisecond, 500*time.Millisecond)
	if err != nil {
		tc.t.Fatalf("%s: speak: %v", what, err)
	}
	voicetest.Eventually(tc.t, 10*time.Second, what, func() bool {
		_, ok := tc.c.FirstArrivalAfter(last)
		return ok
	})
}

// TestICERestartTrickleSlowSTUN is the incident's restart failure replayed:
// a media core whose only STUN server never answers (multi-second
// gathering on every restart), and a client that restarts ICE twice and
// trickles the new candidates immediately. Each restart must count once,
// every trickle PATCH must be accepted, and audio must flow after each.
func TestICERestartTrickleSlowSTUN(t *testing.T) {
	cfg := loopbackConfig(t)
	cfg.ICE.Servers = []ICEServer{{URLs: []string{"stun:" + deadSTUN(t)}}}
	ts := startServer(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	tc := newTrickleClient(t, ts.base)
	if err := tc.call(ctx); err != nil {
		t.Fatal(err)
	}
	voicetest.WaitFor(t, "connected", tc.c.Connected(), 15*time.Second)
	tc.speakAndHear(ctx, "echo before any restart")

	for i := 1; i <= 2; i++ {
		start := time.Now()
		code, err := tc.restart(ctx)
		if err != nil || code != http.StatusOK {
			t.Fatalf("restart %d: %d %v", i, code, err)
		}
		t.Logf("restart %d answered after %s", i, time.Since(start).Round(time.Millisecond))
		tc.speakAndHear(ctx, "echo after restart")
	}
	tc.wg.Wait()
	for _, code := range tc.statuses {
		if code != http.StatusNoContent {
			t.Errorf("a trickle PATCH got %d, want 204 (statuses %v)", code, tc.statuses)
			break
		}
	}
	if len(tc.statuses) == 0 {
		t.Error("the client trickled no candidate after its restarts")
	}
	for _, c := range []struct {
		result string
		want   float64
	}{{voicemetrics.RestartSucceeded, 2}, {voicemetrics.RestartFailed, 0}, {voicemetrics.RestartExhausted, 0}} {
		if got := ts.metric(t, voicemetrics.MetricICERestarts, voicemetrics.LabelResult, c.result); got != c.want {
			t.Errorf("voice_ice_restarts_total{result=%q} = %v, want %v", c.result, got, c.want)
		}
	}
	if got := ts.metric(t, voicemetrics.MetricICEGatheringDuration); got != 3 {
		t.Errorf("gatherings = %v, want 3 (the call and two restarts)", got)
	}
	id := tc.c.Location[strings.LastIndex(tc.c.Location, "/")+1:]
	if code, err := tc.c.Hangup(ctx); err != nil || code != http.StatusOK {
		t.Fatalf("hang up: %d %v", code, err)
	}
	if got := ts.logs.Find(EventSessionEnded, map[string]any{"outcome": voicemetrics.OutcomeCompleted}); len(got) != 1 {
		t.Errorf("session.ended completed: %v", got)
	}
	rec, err := ts.store.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if rec.ICERestarts != 2 || rec.Outcome != voicemetrics.OutcomeCompleted {
		t.Errorf("session record: %d restarts, outcome %q; want 2, completed", rec.ICERestarts, rec.Outcome)
	}
	held := 0
	for _, ev := range ts.logs.Find(EventICERestart, map[string]any{"result": voicemetrics.RestartSucceeded}) {
		if n, ok := ev["held_candidates"].(float64); ok {
			held += int(n)
		}
	}
	t.Logf("trickle PATCHes: %v; candidates held for a restart not applied yet: %d", tc.statuses, held)
}

// TestPatchPreconditions checks the ETag rules of RFC 9725 §4.3 one PATCH
// at a time.
func TestPatchPreconditions(t *testing.T) {
	ts := startServer(t, loopbackConfig(t))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tc := newTrickleClient(t, ts.base)
	if err := tc.call(ctx); err != nil {
		t.Fatal(err)
	}
	voicetest.WaitFor(t, "connected", tc.c.Connected(), 10*time.Second)
	first := tc.etag
	cand := "a=candidate:1 1 udp 2130706431 127.0.0.1 9 typ host\r\n"
	fragOf := func(ufrag, pwd, cands string) string {
		f := "a=ice-ufrag:" + ufrag + "\r\n"
		if pwd != "" {
			f += "a=ice-pwd:" + pwd + "\r\n"
		}
		return f + "m=audio 9 RTP/AVP 0\r\na=mid:0\r\n" + cands
	}
	restarts := func() float64 {
		return ts.metric(t, voicemetrics.MetricICERestarts, voicemetrics.LabelResult, voicemetrics.RestartSucceeded)
	}
	step := func(name, frag, ifMatch string, want int) (string, string) {
		t.Helper()
		code, etag, body, err := tc.patch(ctx, frag, ifMatch)
		if err != nil || code != want {
			t.Fatalf("%s: %d %v, want %d\n%s", name, code, err, want, body)
		}
		return etag, body
	}
	cur := tc.gen
	step("trickle with the current ETag", fragOf(cur, "", cand), first, http.StatusNoContent)
	step("trickle without If-Match", fragOf(cur, "", cand), "", http.StatusNoContent)
	step("trickle with an unknown ETag", fragOf(cur, "", cand), `"not-this-one"`, http.StatusPreconditionFailed)
	step("new credentials without If-Match: * (held, not a restart)", fragOf("earlyufrag", "earlypwd0123456789012345", cand), "", http.StatusNoContent)
	if got := restarts(); got != 0 {
		t.Fatalf("a trickle PATCH with unknown credentials counted as %v restarts", got)
	}
	step("restart without ice-pwd", fragOf("newufrag1", "", ""), "*", http.StatusBadRequest)
	step("restart with the current credentials", fragOf(cur, "x", ""), "*", http.StatusBadRequest)

	restart := fragOf("earlyufrag", "earlypwd0123456789012345", "")
	second, body := step("restart", restart, "*", http.StatusOK)
	if second == "" || second == first {
		t.Fatalf("restart answered ETag %q (first %q): want a new one", second, first)
	}
	if !ufragRE.MatchString(body) || !pwdRE.MatchString(body) {
		t.Fatalf("restart answer lacks the server's new credentials:\n%s", body)
	}
	if got := ts.logs.Find(EventICERestart, map[string]any{"result": voicemetrics.RestartSucceeded, "held_candidates": float64(1)}); len(got) != 1 {
		t.Errorf("the candidate trickled before its restart was not held and applied: %v", got)
	}
	again, body2 := step("the same restart retried", restart, "*", http.StatusOK)
	if again != second || body2 != body {
		t.Errorf("a retried restart got ETag %q, want the same answer with %q", again, second)
	}
	if got := restarts(); got != 1 {
		t.Errorf("restarts succeeded = %v, want 1 (a retry is not another restart)", got)
	}
	step("trickle with the replaced ETag", fragOf("earlyufrag", "", cand), first, http.StatusPreconditionFailed)
	step("trickle with the new ETag", fragOf("earlyufrag", "", cand), second, http.StatusNoContent)
	step("late candidate of the replaced generation (dropped)", fragOf(cur, "", cand), "", http.StatusNoContent)
}

func TestCandidateUfrag(t *testing.T) {
	for _, c := range []struct{ line, want string }{
		{"candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host", ""},
		{"candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host generation 0 ufrag AbCd network-id 1", "AbCd"},
		{"candidate:2 1 udp 1694498815 1.2.3.4 6000 typ srflx raddr 0.0.0.0 rport 0 ufrag Xy01", "Xy01"},
		{"candidate:3 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active ufrag q", "q"},
		{"candidate:1 1 udp 1 127.0.0.1 9 typ host ufrag", ""},
	} {
		if got := candidateUfrag(c.line); got != c.want {
			t.Errorf("candidateUfrag(%q) = %q, want %q", c.line, got, c.want)
		}
	}
}
