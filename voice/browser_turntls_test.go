package voice

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/voicewatch/voicewatch/internal/chromiumtest"
	"github.com/voicewatch/voicewatch/internal/coturntest"
	"github.com/voicewatch/voicewatch/internal/netns"
	"github.com/voicewatch/voicewatch/internal/secret"
	"github.com/voicewatch/voicewatch/internal/tlstest"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

// TestBrowserCallTURNTLS is the remedy for the incident's closed UDP ports
// as a browser takes it: TURN over TLS. The test page, relay only, calls the
// media core through a real coturn whose only announced URL is turns:, from
// headless Chromium in a loopback-only namespace. Chromium checks coturn's
// certificate as it checks an HTTPS site's: with the test certificate's key
// trusted the call connects over a TLS relay; without, the page names the
// turns: server and why it failed, and no call connects.
func TestBrowserCallTURNTLS(t *testing.T) {
	if _, ok := browserTest(t); !ok {
		return
	}
	if _, err := exec.LookPath(coturntest.Binary); err != nil {
		netns.Missing(t, "coturn (Debian package coturn)")
	}
	tl := tlstest.Write(t, "127.0.0.1")
	// The media core gathers through the same turns: server with pion,
	// which trusts the test CA this way; Chromium does not read it.
	t.Setenv("SSL_CERT_FILE", tl.CA)
	ct := coturntest.Start(t, coturntest.Options{Secret: "coturn-rest-secret", AllowLoopbackPeers: true,
		CertFile: tl.Cert, KeyFile: tl.Key})
	turns := ct.TURNURI("tls")
	cfg := loopbackConfig(t)
	cfg.ICE.Servers = []ICEServer{{URLs: []string{turns}, Username: "voice", Secret: secret.Secret(ct.Secret), TTL: time.Hour}}
	greet := true
	cfg.Audio.Greeting = &greet
	ts := startServer(t, cfg)

	// A browser that does not trust the certificate.
	p := openPage(t, ts.base)
	p.do("tick relay only, click Call", 5*time.Second, chromedp.Click(chromedp.ID("relay")), chromedp.Click(chromedp.ID("call")))
	shown := p.waitText("ice-errors", turns, 15*time.Second)
	if !strings.Contains(shown, "701") || !strings.Contains(shown, "certificate") {
		t.Errorf("untrusted certificate: the page shows %q, want the turns: server with error 701 and the certificate hint", shown)
	}
	if strings.Contains(shown, ct.Secret) {
		t.Errorf("the page's error shows the TURN secret: %q", shown)
	}
	p.do("hang up", 5*time.Second, chromedp.Click(chromedp.ID("hangup")))
	voicetest.Eventually(t, 10*time.Second, "the failed attempt's session ends", func() bool { return ts.ActiveSessions() == 0 })
	if got := ts.metric(t, voicemetrics.MetricConnections, voicemetrics.LabelResult, "connected"); got != 0 {
		t.Fatalf("connected = %v with an untrusted turns: certificate and relay only, want 0", got)
	}

	// A browser that trusts it.
	p = openPage(t, ts.base, chromiumtest.TrustKeyOf(t, tl.Cert))
	p.do("tick relay only, click Call", 5*time.Second, chromedp.Click(chromedp.ID("relay")), chromedp.Click(chromedp.ID("call")))
	pair := p.connected()
	if !strings.HasPrefix(pair, "relay (tls) / ") {
		t.Errorf("page shows selected pair %q, want a relay reached over tls", pair)
	}
	p.poll("the greeting streamed back", 15*time.Second, `document.getElementById("events").textContent.includes("bot.reply")`)
	if errs, _ := chromedp.Run(p.ctx, chromedp.Text(chromedp.ID("ice-errors"))); errs != "none" {
		t.Errorf("trusted certificate: the page shows STUN/TURN errors %q", errs)
	}
	p.do("hang up", 5*time.Second, chromedp.Click(chromedp.ID("hangup")))
	voicetest.Eventually(t, 10*time.Second, "session end", func() bool { return ts.ActiveSessions() == 0 })
	t.Logf("Chromium over TURN/TLS: selected pair %q; untrusted certificate: %q", pair, shown)

	// Chromium's first check through the relay often arrives before the
	// PATCH with its relay candidate; the pair is still counted as relay
	// (prflxGrace).
	relay := ts.metric(t, voicemetrics.MetricICESelectedPairs, voicemetrics.LabelRemoteType, "relay")
	prflx := ts.metric(t, voicemetrics.MetricICESelectedPairs, voicemetrics.LabelRemoteType, "prflx")
	if relay != 1 || prflx != 0 {
		t.Errorf("the media core counted the browser's relayed pair as %v relay, %v prflx; want 1 relay", relay, prflx)
	}
	if got := ts.metric(t, voicemetrics.MetricRTPPackets, voicemetrics.LabelDirection, "in"); got < 10 {
		t.Errorf("rtp packets in = %v: the browser's audio did not arrive through the TLS relay", got)
	}
	if got := ts.metric(t, voicemetrics.MetricSessionsEnded, voicemetrics.LabelOutcome, voicemetrics.OutcomeCompleted); got != 1 {
		t.Errorf("completed sessions = %v, want 1", got)
	}
}
