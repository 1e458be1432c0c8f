// Command agent is voicewatch's one binary: the media core (agent voice), the
// observability sidecar (agent sidecar), a zero-setup demo of both (agent
// demo), the log analysis (agent logs report), and dashboards and alerts as
// code (agent dashboards|alerts).
//
// Flag parsing lives here, one file per command; the packages it calls
// expose functions that take options and return data.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// stdio is what a command reads and writes.
type stdio struct {
	in          io.Reader
	out, errOut io.Writer
}

// command is one entry of the command table.
type command struct {
	name    string
	summary string // one line for the top-level help
	run     func(ctx context.Context, args []string, std stdio) error
}

func usage() string {
	var b strings.Builder
	b.WriteString("agent — voicewatch: observe and test WebRTC voice agents.\n\nUsage: agent COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-11s %s\n", c.name, c.summary)
	}
	if len(notInThisBuild) > 0 {
		fmt.Fprintf(&b, "\nThis is the sidecar image's build (-tags sidecaronly); %s are in the voicewatch image.\n", strings.Join(notInThisBuild, ", "))
	}
	b.WriteString("\nRun 'agent COMMAND --help' for the flags of a command.\n")
	return b.String()
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return usagef("", "no command given")
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage())
		return nil
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdio{in: stdin, out: stdout, errOut: stderr})
		}
	}
	if slices.Contains(notInThisBuild, args[0]) {
		return usagef("", "command %q is not in this build: the sidecar image's agent is built with -tags sidecaronly and has only 'agent sidecar'; run %q from the voicewatch image (or go run ./cmd/agent)", args[0], args[0])
	}
	return usagef("", "unknown command %q (run 'agent --help' for the list)", args[0])
}
