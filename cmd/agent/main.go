// Command agent is voicewatch's one binary: the media core (agent voice), the
// observability sidecar (agent sidecar), a zero-setup demo of both (agent
// demo), the log analysis (agent logs report), and dashboards and alerts as
// code (agent dashboards|alerts).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// errUsage marks command-line mistakes (exit status 2).
var errUsage = errors.New("usage")

func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, "agent:", err)
		return 2
	default:
		fmt.Fprintln(stderr, "agent:", err)
		return 1
	}
}

// errHelp: --help was asked for and printed.
var errHelp = errors.New("help requested")

const usage = `agent — voicewatch: observe and test WebRTC voice agents.

Usage:
  agent demo [flags]                 everything on loopback: media core, STUN/TURN, sidecar, synthetic calls
  agent voice --config voice.yaml    run the instrumented WebRTC media core (WHIP)
  agent sidecar --config sidecar.yaml
                                     scrape, derive from logs, probe; publish to Prometheus, CloudWatch, OTLP
  agent logs report [flags] FILE...  summarise voice-agent logs: sessions, errors, scanner traffic
  agent dashboards export|apply      Grafana and CloudWatch dashboards as code
  agent alerts export|apply|test-notify|receive
                                     Prometheus rules, Alertmanager routes, CloudWatch alarms,
                                     and a webhook receiver that logs notifications

Run 'agent COMMAND --help' for the flags of a command.
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: no command given", errUsage)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	case "voice":
		return runVoice(ctx, rest, stdout, stderr)
	case "demo":
		return runDemo(ctx, rest, stdout, stderr)
	default:
		if f, ok := extraCommands[cmd]; ok {
			return f(ctx, rest, stdin, stdout, stderr)
		}
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
}

// extraCommands are registered by the files that wire other packages in.
var extraCommands = map[string]func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error{}
