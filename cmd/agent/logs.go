package main

import (
	"context"
	"fmt"
	"io"

	"github.com/voicewatch/voicewatch/exporter/logs"
)

func init() {
	extraCommands["logs"] = runLogs
}

const logsUsage = `Usage: agent logs report [flags] FILE...|-|cloudwatch:LOG_GROUP

Summarises voice-agent logs: sessions and completion rate, legitimate errors
by kind, and scanner traffic by pattern and real client IP.
Run 'agent logs report --help' for the flags.
`

func runLogs(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, logsUsage)
		if len(args) == 0 {
			return fmt.Errorf("%w: agent logs needs a subcommand (report)", errUsage)
		}
		return nil
	}
	if args[0] != "report" {
		fmt.Fprint(stderr, logsUsage)
		return fmt.Errorf("%w: unknown logs subcommand %q", errUsage, args[0])
	}
	return usageErr(logs.RunReport(ctx, args[1:], stdin, stdout, stderr), logs.ErrUsage)
}
