// Package chromiumtest starts Debian's headless Chromium for the browser
// tests of the media core and the end-to-end suite, with the flags every
// one of them needs: fake media devices, no network chatter, loopback
// candidates allowed.
package chromiumtest

import (
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/voicewatch/voicewatch/internal/netns"
)

// Path returns Debian's chromium binary. When it is missing the test is
// skipped, or fails with CI=true (netns.Missing).
func Path(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"/usr/lib/chromium/chromium", "/usr/bin/chromium"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	netns.Missing(t, "chromium (Debian package chromium)")
	return ""
}

// Options are the allocator options of a headless Chromium at path with a
// fresh profile, fake microphone and camera granted without a prompt, no
// QUIC, sync or component updates (this machine's network is closed), and
// loopback ICE candidates allowed (a namespace with only lo); extra are
// appended.
func Options(t testing.TB, path string, extra ...chromedp.ExecAllocatorOption) []chromedp.ExecAllocatorOption {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("allow-loopback-in-peer-connection", true),
	)
	return append(opts, extra...)
}
