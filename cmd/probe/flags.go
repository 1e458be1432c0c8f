package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// common are the flags every subcommand takes.
type common struct {
	format   string
	output   string
	timeout  time.Duration
	repeat   int
	parallel int
	asserts  listFlag
	verbose  bool
	// Extra reports written besides the main one (CI wants several).
	junitFile, jsonFile, markdownFile string
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.format, "format", "text", "report format: text, json, junit, markdown")
	fs.StringVar(&c.output, "output", "", "write the report to this file")
	fs.DurationVar(&c.timeout, "timeout", 0, "per-attempt timeout (default 10s)")
	fs.IntVar(&c.repeat, "repeat", 0, "attempts per probe (default 1)")
	fs.IntVar(&c.parallel, "parallel", 4, "probes run at once")
	fs.Var(&c.asserts, "assert", "assertion KEY=VALUE (repeatable)")
	fs.BoolVar(&c.verbose, "v", false, "debug logs on stderr")
	fs.StringVar(&c.junitFile, "junit", "", "also write a JUnit XML report to this file")
	fs.StringVar(&c.jsonFile, "json", "", "also write a JSON report to this file")
	fs.StringVar(&c.markdownFile, "markdown", "", "also append a Markdown summary to this file (e.g. $GITHUB_STEP_SUMMARY)")
}

func (c *common) validate() error {
	switch c.format {
	case "text", "json", "junit", "markdown":
	default:
		return fmt.Errorf("%w: --format %q: want text, json, junit or markdown", errUsage, c.format)
	}
	if c.timeout < 0 || c.repeat < 0 || c.parallel < 1 {
		return fmt.Errorf("%w: --timeout and --repeat must not be negative, --parallel at least 1", errUsage)
	}
	return nil
}

// listFlag is a repeatable string flag.
type listFlag []string

// String joins the values (flag.Value).
func (l *listFlag) String() string { return strings.Join(*l, ",") }

// Set appends a value (flag.Value).
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// parseInterleaved parses flags that may come before, between or after
// positional arguments ("probe stun URI --format json").
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// newFlagSet returns a FlagSet that reports errors to stderr once.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("probe "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usageText) }
	return fs
}

// secret picks a secret from a flag, a file or an environment variable,
// in that order. Files are trimmed of surrounding whitespace.
func secret(flagVal, file, envName string) (string, error) {
	if flagVal != "" {
		return flagVal, nil
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			// The path is not a secret; the content never reaches here.
			return "", fmt.Errorf("%w: read secret file: %w", errUsage, err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	if envName != "" {
		return os.Getenv(envName), nil
	}
	return "", nil
}
