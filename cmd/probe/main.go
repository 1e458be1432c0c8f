// Command probe runs synthetic STUN, TURN, WebRTC (WHIP) and HTTP probes
// against a voice agent's infrastructure, for CI and ad hoc checks. It
// exits 0 when every probe passed, 1 when any failed and 2 on a usage or
// configuration error. Run "probe --help" for usage.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err))
}
