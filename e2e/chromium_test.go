package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/voicewatch/voicewatch/internal/chromiumtest"
)

// chromiumPath finds Debian's chromium, or "".
func chromiumPath() string { return chromiumtest.Path() }

// browser is a headless Chromium with fake media devices.
type browser struct {
	ctx    context.Context
	cancel func()
}

// startBrowser starts Chromium; extra adds flags (e.g. an insecure origin
// treated as secure, so a page on a veth address may use the microphone).
func startBrowser(t *testing.T, extra ...chromedp.ExecAllocatorOption) *browser {
	t.Helper()
	opts := chromiumtest.Options(t, chromiumPath(), chromiumtest.AllowLoopback, chromedp.Flag("use-file-for-fake-audio-capture", speechWAV(t)))
	opts = append(opts, extra...)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	b := &browser{ctx: ctx, cancel: func() { cancel(); cancelA() }}
	t.Cleanup(b.cancel)
	// The first action starts the browser and ties its life to its context:
	// run it on the long-lived one, never on a step's timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return b
}

// callResult is what the test page showed for one call.
type callResult struct {
	Pair, Gathering, Connect string
}

// open opens the test page, places a call (relay-only when relay) and
// waits for the bot's greeting over the event WebSocket. The page's fake
// microphone keeps talking (speechWAV) until hangup.
func (b *browser) open(base, token string, relay bool) (callResult, error) {
	var res callResult
	page := func() string {
		s, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body.innerText`))
		return s
	}
	step := func(what string, d time.Duration, actions ...chromedp.Action[chromedp.Void]) error {
		ctx, cancel := context.WithTimeout(b.ctx, d)
		defer cancel()
		if err := chromedp.Do(ctx, actions...); err != nil {
			return fmt.Errorf("%s: %w\npage:\n%s", what, err, page())
		}
		return nil
	}
	poll := func(what string, d time.Duration, expr string) (string, error) {
		ctx, cancel := context.WithTimeout(b.ctx, d)
		defer cancel()
		v, err := chromedp.Run(ctx, chromedp.Poll[any](expr))
		if err != nil {
			return "", fmt.Errorf("%s: %w\npage:\n%s", what, err, page())
		}
		s, _ := v.(string)
		return s, nil
	}
	if err := step("open page", 10*time.Second, chromedp.Navigate(base+"/"), chromedp.SendKeys(chromedp.ID("token"), token)); err != nil {
		return res, err
	}
	if relay {
		if err := step("tick relay only", 5*time.Second, chromedp.Click(chromedp.ID("relay"))); err != nil {
			return res, err
		}
	}
	if err := step("click Call", 5*time.Second, chromedp.Click(chromedp.ID("call"))); err != nil {
		return res, err
	}
	if err := step("connected", 20*time.Second, chromedp.WaitVisible(chromedp.CSS(`#state[data-state="connected"]`))); err != nil {
		return res, err
	}
	var err error
	if res.Pair, err = poll("selected pair", 10*time.Second,
		`document.getElementById("pair").textContent.includes("/") && document.getElementById("pair").textContent`); err != nil {
		return res, err
	}
	if _, err := poll("greeting streamed", 15*time.Second, `document.getElementById("events").textContent.includes("bot.reply") && "ok"`); err != nil {
		return res, err
	}
	res.Gathering, _ = chromedp.Run(b.ctx, chromedp.Text(chromedp.ID("gathering-ms")))
	res.Connect, _ = chromedp.Run(b.ctx, chromedp.Text(chromedp.ID("connect-ms")))
	return res, nil
}

// hangup ends the call in progress.
func (b *browser) hangup() error {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	return chromedp.Do(ctx, chromedp.Click(chromedp.ID("hangup")))
}

// call places a call, waits for the greeting, and hangs up.
func (b *browser) call(base, token string, relay bool) (callResult, error) {
	res, err := b.open(base, token, relay)
	if err != nil {
		return res, err
	}
	return res, b.hangup()
}
