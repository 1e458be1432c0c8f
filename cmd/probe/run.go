package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/suite"
)

// run is the whole program: it parses args, builds the probes, runs them,
// writes the report and returns nil (all passed), errProbesFailed, or a
// usage/config error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		fmt.Fprintln(stderr, "probe: no command")
		return fmt.Errorf("%w: no command", errUsage)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "-h", "--help", "help", "-help":
		fmt.Fprint(stdout, usageText)
		return nil
	}
	var c common
	fs := newFlagSet(cmd, stderr)
	c.register(fs)
	var build func(pos []string, env probes.Env) ([]probes.Spec, error)
	switch cmd {
	case "stun":
		build = stunCmd(fs)
	case "turn":
		build = turnCmd(fs)
	case "webrtc":
		build = webrtcCmd(fs)
	case "http":
		build = httpCmd(fs)
	case "run":
		build = suiteCmd(fs, &c)
	default:
		fmt.Fprint(stderr, usageText)
		fmt.Fprintf(stderr, "probe: unknown command %q\n", cmd)
		return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
	pos, err := parseInterleaved(fs, rest)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if err := c.validate(); err != nil {
		fmt.Fprintln(stderr, "probe:", err)
		return err
	}
	level := slog.LevelWarn
	if c.verbose {
		level = slog.LevelDebug
	}
	env := probes.Env{Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))}
	specs, err := build(pos, env)
	if err == nil && cmd != "run" {
		err = applyCommon(specs, c)
	}
	if err != nil {
		fmt.Fprintln(stderr, "probe:", err)
		if !errors.Is(err, errUsage) {
			err = fmt.Errorf("%w: %w", errUsage, err)
		}
		return err
	}
	results := probes.Run(ctx, specs, c.parallel)
	if err := report(results, c, stdout); err != nil {
		fmt.Fprintln(stderr, "probe:", err)
		return err
	}
	for _, r := range results {
		if !r.Success {
			return errProbesFailed
		}
	}
	return nil
}

// applyCommon applies --timeout, --repeat and --assert to ad hoc probes.
func applyCommon(specs []probes.Spec, c common) error {
	var a probes.Assertions
	if len(c.asserts) > 0 {
		node := &yaml.Node{Kind: yaml.MappingNode}
		for _, kv := range c.asserts {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return fmt.Errorf("%w: --assert %q: want KEY=VALUE", errUsage, kv)
			}
			node.Content = append(node.Content,
				&yaml.Node{Kind: yaml.ScalarNode, Value: k}, &yaml.Node{Kind: yaml.ScalarNode, Value: v})
		}
		if err := a.UnmarshalYAML(node); err != nil {
			return fmt.Errorf("%w: --assert: %w", errUsage, err)
		}
	}
	for i := range specs {
		specs[i].Timeout = c.timeout
		specs[i].Repeat = c.repeat
		specs[i].Assert = a
	}
	return nil
}

// report writes the report in c.format to c.output (a text summary then
// goes to stdout) or to stdout, and the extra --junit, --json and
// --markdown reports.
func report(results []probes.Result, c common, stdout io.Writer) error {
	extra := []struct {
		path, format string
		flags        int
	}{
		{c.output, c.format, os.O_TRUNC},
		{c.junitFile, "junit", os.O_TRUNC},
		{c.jsonFile, "json", os.O_TRUNC},
		{c.markdownFile, "markdown", os.O_APPEND},
	}
	for _, e := range extra {
		if e.path == "" {
			continue
		}
		if err := writeFile(e.path, e.flags, e.format, results); err != nil {
			return err
		}
	}
	if c.output == "" {
		return writeReport(stdout, c.format, results)
	}
	return writeReport(stdout, "text", results)
}

func writeFile(path string, flags int, format string, results []probes.Result) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|flags, 0o644)
	if err != nil {
		return fmt.Errorf("%w: report file: %w", errUsage, err)
	}
	if err := writeReport(f, format, results); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

func suiteCmd(fs *flag.FlagSet, c *common) func([]string, probes.Env) ([]probes.Spec, error) {
	config := fs.String("config", "", "suite file (YAML)")
	target := fs.String("target", "", "base URL for relative targets, overrides the file's target")
	return func(pos []string, env probes.Env) ([]probes.Spec, error) {
		if *config == "" {
			return nil, fmt.Errorf("%w: run needs --config FILE", errUsage)
		}
		if len(pos) > 0 {
			return nil, fmt.Errorf("%w: run takes no arguments, got %q", errUsage, pos)
		}
		if len(c.asserts) > 0 {
			return nil, fmt.Errorf("%w: --assert is for ad hoc probes; put assertions in the suite", errUsage)
		}
		specs, err := suite.LoadFile(*config, suite.Options{Target: *target, Env: env, Timeout: c.timeout, Repeat: c.repeat})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", *config, err)
		}
		return specs, nil
	}
}
