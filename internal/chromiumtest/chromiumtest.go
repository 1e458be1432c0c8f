// Package chromiumtest is how tests start Debian's headless Chromium: where
// the binary is, and the flags that give it fake media devices so a page
// can place a call without a microphone or a person to grant access.
package chromiumtest

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// Path finds Debian's chromium, or returns "".
func Path() string {
	for _, p := range []string{"/usr/lib/chromium/chromium", "/usr/bin/chromium"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	p, _ := exec.LookPath("chromium")
	return p
}

// AllowLoopback lets WebRTC use loopback candidates (a media core on
// 127.0.0.1, or a namespace that has only lo); Chromium gathers none
// without it.
var AllowLoopback = chromedp.Flag("allow-loopback-in-peer-connection", true)

// Options returns the allocator options of a headless Chromium at path
// with a fresh user data directory, no sandbox, GPU, QUIC, component
// updates or sync, the microphone permission granted and a fake capture
// device; extra options (AllowLoopback, a fake audio file, ...) follow.
func Options(tb testing.TB, path string, extra ...chromedp.ExecAllocatorOption) []chromedp.ExecAllocatorOption {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
	)
	return append(opts, extra...)
}

// Start starts a headless Chromium at path (Options with extra) and
// returns the context of its first tab. The browser closes when the test
// ends (the tab's context first, then the allocator's).
func Start(tb testing.TB, path string, extra ...chromedp.ExecAllocatorOption) context.Context {
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), Options(tb, path, extra...)...)
	ctx, cancel := chromedp.NewContext(actx)
	tb.Cleanup(func() { cancel(); cancelA() })
	return ctx
}

// TrustKeyOf makes Chromium accept a TLS peer whose certificate (or one of
// its chain) has the public key of the PEM certificate in certFile, with
// every other check kept (--ignore-certificate-errors-spki-list; Chromium
// honours it only with a user data directory, which Options sets). Chromium
// verifies TURN/TLS servers as it does HTTPS ones, so a test CA is not
// enough: it never reads SSL_CERT_FILE.
func TrustKeyOf(tb testing.TB, certFile string) chromedp.ExecAllocatorOption {
	tb.Helper()
	b, err := os.ReadFile(certFile)
	if err != nil {
		tb.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		tb.Fatalf("%s: no PEM certificate", certFile)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		tb.Fatalf("%s: %v", certFile, err)
	}
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return chromedp.Flag("ignore-certificate-errors-spki-list", base64.StdEncoding.EncodeToString(sum[:]))
}
