package voice

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
)

var (
	ufragRE = regexp.MustCompile(`a=ice-ufrag:(\S+)`)
	pwdRE   = regexp.MustCompile(`a=ice-pwd:(\S+)`)
	candRE  = regexp.MustCompile(`a=candidate:[^\r\n]+`)
)

// restart performs a client ICE restart over WHIP PATCH (RFC 9725 §4.3.2).
func (c *testCaller) restart(ctx context.Context, answer string) (int, string, error) {
	offer, err := c.pc.CreateOffer(&webrtc.OfferOptions{ICERestart: true})
	if err != nil {
		return 0, "", err
	}
	done := webrtc.GatheringCompletePromise(c.pc)
	if err := c.pc.SetLocalDescription(offer); err != nil {
		return 0, "", err
	}
	<-done
	local := c.pc.LocalDescription().SDP
	frag := "a=ice-ufrag:" + ufragRE.FindStringSubmatch(local)[1] + "\r\n" +
		"a=ice-pwd:" + pwdRE.FindStringSubmatch(local)[1] + "\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\n"
	for _, cand := range candRE.FindAllString(local, -1) {
		frag += cand + "\r\n"
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPatch, c.base+c.location, strings.NewReader(frag))
	req.Header.Set("Content-Type", "application/trickle-ice-sdpfrag")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, "", nil
	}
	// The new answer: the old one with the server's new credentials and candidates.
	f := string(body)
	sdp := candRE.ReplaceAllString(answer, "")
	sdp = strings.ReplaceAll(sdp, "\r\n\r\n", "\r\n")
	sdp = ufragRE.ReplaceAllString(sdp, "a=ice-ufrag:"+ufragRE.FindStringSubmatch(f)[1])
	sdp = pwdRE.ReplaceAllString(sdp, "a=ice-pwd:"+pwdRE.FindStringSubmatch(f)[1])
	var cands []string
	for _, cand := range candRE.FindAllString(f, -1) {
		cands = append(cands, cand)
	}
	sdp = strings.Replace(sdp, "a=ice-pwd:", strings.Join(cands, "\r\n")+"\r\na=ice-pwd:", 1)
	return resp.StatusCode, sdp, c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp})
}

func TestICERestart(t *testing.T) {
	cfg := loopbackConfig(t)
	cfg.ICE.MaxRestarts = 1
	ts := startServer(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := newTestCaller(t, ts.base, callerOpts{})
	if _, err := c.call(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "connected", c.connected, 10*time.Second)
	answer := c.pc.RemoteDescription().SDP
	oldUfrag := ufragRE.FindStringSubmatch(answer)[1]

	code, newAnswer, err := c.restart(ctx, answer)
	if err != nil || code != http.StatusOK {
		t.Fatalf("restart: %d %v", code, err)
	}
	if ufragRE.FindStringSubmatch(newAnswer)[1] == oldUfrag {
		t.Error("server kept its ICE credentials across the restart")
	}
	if got := ts.metric(t, MetricICERestarts, LabelResult, RestartSucceeded); got != 1 {
		t.Errorf("restarts succeeded = %v", got)
	}
	// Media still flows after the restart: the echo comes back.
	if err := c.speak(ctx, 400*time.Millisecond, 500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "echo after restart", c.gotAudio, 5*time.Second)

	// One restart allowed: the second is refused and the session ends.
	code, _, err = c.restart(ctx, newAnswer)
	if err != nil || code != http.StatusTooManyRequests {
		t.Fatalf("second restart: %d %v, want 429", code, err)
	}
	eventually(t, 5*time.Second, "session end", func() bool { return ts.ActiveSessions() == 0 })
	if got := ts.metric(t, MetricICERestarts, LabelResult, RestartExhausted); got != 1 {
		t.Errorf("restarts exhausted = %v", got)
	}
	if got := ts.logs.find(EventSessionEnded, map[string]any{"reason": endRestarts, "outcome": OutcomeAbandoned}); len(got) != 1 {
		t.Errorf("session.ended with restarts_exhausted: %v", got)
	}
}
