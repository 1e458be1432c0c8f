package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

// usageError is a command-line mistake: the command prints it once, with
// the command's name and a pointer to its --help, and exits with status 2.
type usageError struct {
	command string // e.g. "logs report"
	err     error
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a usageError of command.
func usagef(command, format string, a ...any) error {
	return &usageError{command: command, err: fmt.Errorf(format, a...)}
}

// asUsage turns err into a usage error of command when it wraps one of the
// library sentinels that mean "the input you gave is wrong" (a bad config
// value or format named on the command line).
func asUsage(command string, err error, sentinels ...error) error {
	if err == nil {
		return nil
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return err
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return &usageError{command: command, err: err}
		}
	}
	return err
}

// errHelp: --help was asked for and printed (exit status 0).
var errHelp = errors.New("help requested")

// exitCode prints err (once) and maps it to the exit status: 0 for none or
// --help, 2 for a usage error, 1 otherwise.
func exitCode(err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		name := strings.TrimSpace("agent " + ue.command)
		fmt.Fprintf(stderr, "%s: %v\n", name, ue.err)
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", name)
		return 2
	default:
		fmt.Fprintln(stderr, "agent:", err)
		return 1
	}
}

// flagSet is a command's flags with its help text. --help prints the
// synopsis and every flag to stdout; a mistake becomes a usageError.
type flagSet struct {
	*flag.FlagSet
	command  string // "dashboards export"
	synopsis string // usage line(s) and description
	stdout   io.Writer
}

// newFlagSet returns the flags of command. synopsis starts with the usage
// line(s) after "agent " and then describes the command.
func newFlagSet(command, synopsis string, stdout io.Writer) *flagSet {
	fs := flag.NewFlagSet("agent "+command, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned, printed once by exitCode
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs, command: command, synopsis: synopsis, stdout: stdout}
}

// printHelp writes the command's help to w.
func (f *flagSet) printHelp(w io.Writer) {
	fmt.Fprintf(w, "Usage: agent %s\n", strings.TrimSpace(f.synopsis))
	n := 0
	f.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		return
	}
	fmt.Fprint(w, "\nFlags:\n")
	f.SetOutput(w)
	f.PrintDefaults()
	f.SetOutput(io.Discard)
}

// parse parses args: --help prints the help and returns errHelp; a flag
// mistake or, unless positional is true, a positional argument is a
// usageError.
func (f *flagSet) parse(args []string, positional bool) error {
	if err := f.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			f.printHelp(f.stdout)
			return errHelp
		}
		return &usageError{command: f.command, err: err}
	}
	if !positional && f.NArg() > 0 {
		return f.usagef("unexpected arguments %q", f.Args())
	}
	return nil
}

// usagef returns a usage error of this command.
func (f *flagSet) usagef(format string, a ...any) error { return usagef(f.command, format, a...) }

// logFlags adds --log-level and --log-format: every long-running command
// takes both.
type logFlags struct {
	level, format string
}

func (l *logFlags) register(fs *flagSet, defLevel, defFormat string) {
	fs.StringVar(&l.level, "log-level", defLevel, "log level: debug, info, warn, error (scanner traffic is logged at debug only)")
	fs.StringVar(&l.format, "log-format", defFormat, "log format: json (for log metric filters and the sidecar) or text")
}

func (l *logFlags) logger(command string, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(l.level)); err != nil {
		return nil, usagef(command, "--log-level %q: want debug, info, warn or error", l.level)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(l.format) {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, usagef(command, "--log-format %q: want json or text", l.format)
}

// subcommand splits args into a subcommand of parent (one of names) and
// its arguments; no subcommand, or help, prints the parent's help.
func subcommand(parent, help string, names []string, args []string, stdout io.Writer) (string, []string, error) {
	if len(args) == 0 {
		return "", nil, usagef(parent, "missing subcommand: %s", strings.Join(names, ", "))
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, help)
		return "", nil, errHelp
	}
	for _, n := range names {
		if args[0] == n {
			return n, args[1:], nil
		}
	}
	return "", nil, usagef(parent, "unknown subcommand %q: want %s", args[0], strings.Join(names, ", "))
}

// configFileFlag adds --config FILE to fs and returns a loader for it: with
// no --config, def; otherwise the file decoded by load (a file that cannot
// be opened is a usage error; one that does not decode names itself).
func configFileFlag[T any](fs *flagSet, help string, load func(io.Reader) (T, error), def func() (T, error)) func() (T, error) {
	path := fs.String("config", "", help)
	return func() (T, error) {
		if *path == "" {
			return def()
		}
		f, err := os.Open(*path)
		if err != nil {
			var zero T
			return zero, fs.usagef("--config: %v", err)
		}
		defer f.Close()
		c, err := load(f)
		if err != nil {
			var zero T
			return zero, fmt.Errorf("--config %s: %w", *path, err)
		}
		return c, nil
	}
}
