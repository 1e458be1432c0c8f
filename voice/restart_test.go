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

	"github.com/voicewatch/voicewatch/voice/voicemetrics"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

var (
	ufragRE = regexp.MustCompile(`a=ice-ufrag:(\S+)`)
	pwdRE   = regexp.MustCompile(`a=ice-pwd:(\S+)`)
	candRE  = regexp.MustCompile(`a=candidate:[^\r\n]+`)
)

// restart performs a client ICE restart over WHIP PATCH (RFC 9725 §4.3.2).
func restart(ctx context.Context, c *voicetest.Caller, answer string) (int, string, error) {
	offer, err := c.PC.CreateOffer(&webrtc.OfferOptions{ICERestart: true})
	if err != nil {
		return 0, "", err
	}
	done := webrtc.GatheringCompletePromise(c.PC)
	if err := c.PC.SetLocalDescription(offer); err != nil {
		return 0, "", err
	}
	<-done
	local := c.PC.LocalDescription().SDP
	frag := "a=ice-ufrag:" + ufragRE.FindStringSubmatch(local)[1] + "\r\n" +
		"a=ice-pwd:" + pwdRE.FindStringSubmatch(local)[1] + "\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\n"
	for _, cand := range candRE.FindAllString(local, -1) {
		frag += cand + "\r\n"
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPatch, c.SessionURL(), strings.NewReader(frag))
	req.Header.Set("Content-Type", "application/trickle-ice-sdpfrag")
	req.Header.Set("If-Match", "*")
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
	return resp.StatusCode, sdp, c.PC.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp})
}

func TestICERestart(t *testing.T) {
	cfg := loopbackConfig(t)
	cfg.ICE.MaxRestarts = 1
	ts := startServer(t, cfg)
	ctx, c := ts.call(t, 20*time.Second)
	voicetest.WaitFor(t, "connected", c.Connected(), 10*time.Second)
	answer := c.PC.RemoteDescription().SDP
	oldUfrag := ufragRE.FindStringSubmatch(answer)[1]

	code, newAnswer, err := restart(ctx, c, answer)
	if err != nil || code != http.StatusOK {
		t.Fatalf("restart: %d %v", code, err)
	}
	if ufragRE.FindStringSubmatch(newAnswer)[1] == oldUfrag {
		t.Error("server kept its ICE credentials across the restart")
	}
	if got := ts.metric(t, voicemetrics.MetricICERestarts, voicemetrics.LabelResult, voicemetrics.RestartSucceeded); got != 1 {
		t.Errorf("restarts succeeded = %v", got)
	}
	// Media still flows after the restart: the echo comes back.
	if _, err := c.Speak(ctx, 400*time.Millisecond, 500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	voicetest.WaitFor(t, "echo after restart", c.GotAudio(), 5*time.Second)

	// One restart allowed: the second is refused and the session ends.
	code, _, err = restart(ctx, c, newAnswer)
	if err != nil || code != http.StatusTooManyRequests {
		t.Fatalf("second restart: %d %v, want 429", code, err)
	}
	voicetest.Eventually(t, 5*time.Second, "session end", func() bool { return ts.ActiveSessions() == 0 })
	if got := ts.metric(t, voicemetrics.MetricICERestarts, voicemetrics.LabelResult, voicemetrics.RestartExhausted); got != 1 {
		t.Errorf("restarts exhausted = %v", got)
	}
	if got := ts.logs.Find(EventSessionEnded, map[string]any{"reason": endRestarts, "outcome": voicemetrics.OutcomeAbandoned}); len(got) != 1 {
		t.Errorf("session.ended with restarts_exhausted: %v", got)
	}
}
