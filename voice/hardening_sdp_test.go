package voice

import (
	"context"
	"fmt"
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

// realOffer is a complete offer from a pion caller on loopback.
func realOffer(t testing.TB) string {
	t.Helper()
	c := voicetest.NewCaller(t, "http://127.0.0.1:1", voicetest.CallerOptions{})
	offer, err := c.PC.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	done := webrtc.GatheringCompletePromise(c.PC)
	if err := c.PC.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-done
	return c.PC.LocalDescription().SDP
}

var (
	reUfrag = regexp.MustCompile(`(?m)^a=ice-ufrag:.*\r$`)
	rePwd   = regexp.MustCompile(`(?m)^a=ice-pwd:.*\r$`)
	reFP    = regexp.MustCompile(`(?m)^a=fingerprint:.*\r$`)
	reCand  = regexp.MustCompile(`(?m)^a=candidate:.*\r\n`)
	reMid   = regexp.MustCompile(`(?m)^a=mid:0\r$`)
)

// malformedOffers are variants of a real offer that the PeerConnection
// would reject only after a session existed (before the fix, each one was
// a failed session at WARN, or worse, a 201).
func malformedOffers(offer string) map[string]string {
	return map[string]string{
		"no fingerprint":        reFP.ReplaceAllString(offer, "a=x-nofp:1\r"),
		"md5 fingerprint":       reFP.ReplaceAllString(offer, "a=fingerprint:md5 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r"),
		"sha-1 fingerprint":     reFP.ReplaceAllString(offer, "a=fingerprint:sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33\r"),
		"malformed fingerprint": reFP.ReplaceAllString(offer, "a=fingerprint:sha-256 zz:11\r"),
		"fingerprint no value":  reFP.ReplaceAllString(offer, "a=fingerprint:sha-256\r"),
		"NUL byte":              strings.Replace(offer, "s=-", "s=-\x00", 1),
		"bad extmap":            reMid.ReplaceAllString(offer, "a=mid:0\r\na=extmap:999 urn:x\r"),
		"oversize ufrag":        reUfrag.ReplaceAllString(offer, "a=ice-ufrag:"+strings.Repeat("u", 300)+"\r"),
		"short ufrag":           reUfrag.ReplaceAllString(offer, "a=ice-ufrag:abc\r"),
		"ufrag bad chars":       reUfrag.ReplaceAllString(offer, "a=ice-ufrag:ab;cd\r"),
		"oversize pwd":          rePwd.ReplaceAllString(offer, "a=ice-pwd:"+strings.Repeat("p", 50_000)+"\r"),
		"short pwd":             rePwd.ReplaceAllString(offer, "a=ice-pwd:short\r"),
		"no ice credentials":    rePwd.ReplaceAllString(reUfrag.ReplaceAllString(offer, "a=x:1\r"), "a=y:1\r"),
	}
}

// TestMalformedOffersMakeNoSession: each is 400 with a problem saying why,
// no session starts or fails, nothing is logged above INFO.
func TestMalformedOffersMakeNoSession(t *testing.T) {
	ts := startServer(t, loopbackConfig(t))
	offer := realOffer(t)
	for name, bad := range malformedOffers(offer) {
		t.Run(name, func(t *testing.T) {
			if bad == offer {
				t.Fatal("the variant did not change the offer")
			}
			resp, err := http.Post(ts.base+"/whip", "application/sdp", strings.NewReader(bad))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", resp.StatusCode, b)
			}
		})
	}
	if got := ts.metric(t, voicemetrics.MetricSessionsStarted); got != 0 {
		t.Errorf("%v sessions started from malformed offers", got)
	}
	if got := ts.metric(t, voicemetrics.MetricSessionsEnded, voicemetrics.LabelOutcome, voicemetrics.OutcomeFailed); got != 0 {
		t.Errorf("%v failed sessions from malformed offers (SLO burn)", got)
	}
	for _, e := range ts.logs.Events() {
		if e["level"] == "WARN" || e["level"] == "ERROR" {
			t.Errorf("%s log for a malformed offer: %v", e["level"], e)
		}
	}
	// The real offer still works.
	resp, err := http.Post(ts.base+"/whip", "application/sdp", strings.NewReader(offer))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("the unmodified offer: %d", resp.StatusCode)
	}
}

// loopbackCandidates are n host candidates on 127.0.0.1 (ports nobody
// listens on: the connectivity checks stay on this machine).
func loopbackCandidates(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "a=candidate:%d 1 udp 2130706431 127.0.0.1 %d typ host\r\n", 9000+i, 40000+i)
	}
	return b.String()
}

func withCandidates(offer, cands string) string {
	return reMid.ReplaceAllString(reCand.ReplaceAllString(offer, ""), "a=mid:0\r\n"+cands[:len(cands)-2])
}

func postOffer(t *testing.T, base, sdp string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Post(base+"/whip", "application/sdp", strings.NewReader(sdp))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func patch(t *testing.T, url, frag string) (int, string) {
	t.Helper()
	return patchWith(t, url, frag, "")
}

// patchWith sends a PATCH with the given If-Match ("" for none; "*" is an
// ICE restart, RFC 9725 §4.3.2).
func patchWith(t *testing.T, url, frag, ifMatch string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPatch, url, strings.NewReader(frag))
	req.Header.Set("Content-Type", mimeSDPFrag)
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b)
}

// TestRemoteCandidateCap: an offer or PATCHes with more than
// ice.max_remote_candidates are refused with a problem saying so.
func TestRemoteCandidateCap(t *testing.T) {
	cfg := loopbackConfig(t)
	cfg.ICE.MaxRemoteCandidates = 5
	ts := startServer(t, cfg)
	offer := realOffer(t)

	resp, body := postOffer(t, ts.base, withCandidates(offer, loopbackCandidates(500)))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "max_remote_candidates") {
		t.Fatalf("500 candidates: %d %s", resp.StatusCode, body)
	}
	if ts.ActiveSessions() != 0 {
		t.Fatal("a session exists after the refused offer")
	}

	resp, body = postOffer(t, ts.base, withCandidates(offer, loopbackCandidates(3)))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("3 candidates: %d %s", resp.StatusCode, body)
	}
	url := ts.base + resp.Header.Get("Location")
	if code, b := patch(t, url, "a=mid:0\r\n"+loopbackCandidates(2)); code != http.StatusNoContent {
		t.Fatalf("PATCH to 5 candidates: %d %s", code, b)
	}
	code, b := patch(t, url, "a=mid:0\r\n"+loopbackCandidates(1))
	if code != http.StatusBadRequest || !strings.Contains(b, "max_remote_candidates") {
		t.Fatalf("PATCH to 6 candidates: %d %s", code, b)
	}
}

// TestPatchCap: PATCHes beyond ice.max_patches get 429.
func TestPatchCap(t *testing.T) {
	cfg := loopbackConfig(t)
	cfg.ICE.MaxPatches = 3
	ts := startServer(t, cfg)
	resp, body := postOffer(t, ts.base, realOffer(t))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST: %d %s", resp.StatusCode, body)
	}
	url := ts.base + resp.Header.Get("Location")
	for i := range 3 {
		if code, b := patch(t, url, "a=mid:0\r\na=end-of-candidates\r\n"); code != http.StatusNoContent {
			t.Fatalf("PATCH %d: %d %s", i+1, code, b)
		}
	}
	if code, b := patch(t, url, "a=mid:0\r\na=end-of-candidates\r\n"); code != http.StatusTooManyRequests {
		t.Fatalf("PATCH 4: %d %s, want 429", code, b)
	}
}

// TestPatchICECredentials: an ICE restart with credentials outside RFC
// 8839, or without a password, is refused before pion sees them, and so is
// a trickle fragment whose ufrag is outside RFC 8839.
func TestPatchICECredentials(t *testing.T) {
	ts := startServer(t, loopbackConfig(t))
	resp, body := postOffer(t, ts.base, realOffer(t))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST: %d %s", resp.StatusCode, body)
	}
	url := ts.base + resp.Header.Get("Location")
	for name, frag := range map[string]string{
		"oversize ufrag": "a=ice-ufrag:" + strings.Repeat("u", 50_000) + "\r\na=ice-pwd:" + strings.Repeat("p", 24) + "\r\n",
		"oversize pwd":   "a=ice-ufrag:abcd\r\na=ice-pwd:" + strings.Repeat("p", 300) + "\r\n",
		"no pwd":         "a=ice-ufrag:abcd\r\n",
	} {
		if code, b := patchWith(t, url, frag, "*"); code != http.StatusBadRequest || !strings.Contains(b, "ice-") {
			t.Errorf("restart, %s: %d %s, want 400", name, code, b)
		}
	}
	if code, b := patch(t, url, "a=ice-ufrag:"+strings.Repeat("u", 50_000)+"\r\n"); code != http.StatusBadRequest || !strings.Contains(b, "ice-ufrag") {
		t.Errorf("trickle, oversize ufrag: %d %s, want 400", code, b)
	}
	if got := ts.metric(t, voicemetrics.MetricICERestarts, voicemetrics.LabelResult, voicemetrics.RestartFailed); got != 0 {
		t.Errorf("%v failed restarts counted for refused PATCHes", got)
	}
}

// TestRemoteCandidateRanges: candidates the media core must never contact
// are dropped from offers and PATCHes before pion sees them. The server
// has no local candidates here (loopback gathering off, lo only), so no
// connectivity check is sent whatever the outcome.
func TestRemoteCandidateRanges(t *testing.T) {
	cfg := loopbackConfig(t)
	cfg.ICE.IncludeLoopback = false
	ts := startServer(t, cfg)
	forbidden := []string{"127.0.0.1", "169.254.169.254", "224.0.0.251", "0.0.0.0", "::1", "fe80::1", "ff02::1", "255.255.255.255", "metadata.google.internal"}
	var cands strings.Builder
	for i, a := range forbidden {
		fmt.Fprintf(&cands, "a=candidate:%d 1 udp 2130706431 %s 9 typ host\r\n", i+1, a)
	}
	cands.WriteString("a=candidate:99 1 udp 2130706431 192.0.2.10 9 typ host\r\n")
	resp, body := postOffer(t, ts.base, withCandidates(realOffer(t), cands.String()))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST: %d %s", resp.StatusCode, body)
	}
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/whip/")
	if code, b := patch(t, ts.base+"/whip/"+id, "a=mid:0\r\n"+cands.String()); code != http.StatusNoContent {
		t.Fatalf("PATCH: %d %s", code, b)
	}
	sess, ok := ts.lookup(id)
	if !ok {
		t.Fatal("no session")
	}
	remote := sess.pc.RemoteDescription().SDP
	for _, a := range forbidden {
		if strings.Contains(remote, " "+a+" ") {
			t.Errorf("remote description keeps a candidate on %s", a)
		}
	}
	if !strings.Contains(remote, " 192.0.2.10 ") {
		t.Error("the allowed candidate was dropped too")
	}
	sess.budget.mu.Lock()
	n := sess.budget.candidates
	sess.budget.mu.Unlock()
	if n != 2 {
		t.Errorf("counted %d remote candidates, want 2 (the allowed one, in the offer and in the PATCH)", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodDelete, ts.base+"/whip/"+id, nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
}
