package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// runCLI runs agent with args and returns stdout, what exitCode prints to
// stderr, and the exit status.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	code = exitCode(err, &errOut)
	return out.String(), errOut.String(), code
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args     []string
		wantOut  string
		wantCode int
	}{
		{nil, "Usage:", 2},
		{[]string{"nope"}, "unknown command \"nope\"", 2},
		{[]string{"--help"}, "Run 'agent COMMAND --help'", 0},
		{[]string{"voice", "--help"}, "insecure-no-auth", 0},
		{[]string{"demo", "--bogus"}, "flag provided but not defined", 2},
		{[]string{"voice", "--log-level", "loud", "--insecure-no-auth"}, "--log-level", 2},
		{[]string{"alerts"}, "missing subcommand: export, apply, test-notify, receive", 2},
		{[]string{"alerts", "deploy"}, "unknown subcommand \"deploy\"", 2},
		{[]string{"alerts", "export"}, "--out DIR is required", 2},
		{[]string{"alerts", "export", "--out", "x", "--time-scale", "0"}, "--time-scale", 2},
		{[]string{"alerts", "apply"}, "--cloudwatch", 2},
		{[]string{"alerts", "receive", "extra"}, "unexpected arguments", 2},
		{[]string{"alerts", "receive", "--port", "1"}, "flag provided but not defined", 2},
		{[]string{"dashboards"}, "missing subcommand", 2},
		{[]string{"dashboards", "frobnicate"}, "unknown subcommand", 2},
		{[]string{"dashboards", "export"}, "--out DIR is required", 2},
		{[]string{"dashboards", "apply"}, "--grafana-url", 2},
		{[]string{"dashboards", "apply", "--dry-run", "--grafana-url", "http://127.0.0.1:1"}, "--cloudwatch only", 2},
		{[]string{"logs"}, "missing subcommand: report", 2},
		{[]string{"logs", "report"}, "no source", 2},
		{[]string{"logs", "report", "--format", "xml", "x.log"}, "auto|alb|clf|json", 2},
		{[]string{"logs", "report", "--format", "rules:nope", "x.log"}, "python-voicebot", 2},
		{[]string{"logs", "report", "--since", "2 hours", "x.log"}, "-since", 2},
		{[]string{"logs", "report", "--trusted-proxies", "10.0.0.0", "x.log"}, "CIDR", 2},
		{[]string{"logs", "report", "does-not-exist.log"}, "no such file", 1},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errOut, code := runCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, out, errOut)
			}
			if !strings.Contains(out+errOut, tt.wantOut) {
				t.Errorf("output lacks %q:\n%s%s", tt.wantOut, out, errOut)
			}
		})
	}
}

// TestUsageErrorsOnce: a usage error is printed once, prefixed by the
// command it belongs to, with one pointer to that command's --help.
func TestUsageErrorsOnce(t *testing.T) {
	for _, tt := range []struct {
		args    []string
		command string
	}{
		{[]string{"dashboards", "export"}, "agent dashboards export"},
		{[]string{"alerts", "export", "--outdir", "x"}, "agent alerts export"},
		{[]string{"logs", "report", "--follow", "x.log"}, "agent logs report"},
		{[]string{"sidecar"}, "agent sidecar"},
		{[]string{"demo", "extra"}, "agent demo"},
	} {
		t.Run(tt.command, func(t *testing.T) {
			out, errOut, code := runCLI(t, tt.args...)
			if code != 2 {
				t.Fatalf("exit code %d, want 2", code)
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			if len(lines) != 2 || !strings.HasPrefix(lines[0], tt.command+": ") ||
				lines[1] != "Run '"+tt.command+" --help' for usage." {
				t.Errorf("stderr = %q, want one error line prefixed %q and one --help pointer", errOut, tt.command+": ")
			}
			if strings.Count(strings.ToLower(errOut), "usage") != 1 {
				t.Errorf("stderr repeats itself: %q", errOut)
			}
			if out != "" {
				t.Errorf("a usage error wrote to stdout: %q", out)
			}
		})
	}
}

// TestSubcommandHelp: each subcommand's --help prints its own usage line
// and flags to stdout (not its parent's), and exits 0.
func TestSubcommandHelp(t *testing.T) {
	for _, tt := range []struct {
		args    []string
		want    []string // flags and keys of this command
		notWant []string // flags of its siblings
	}{
		{[]string{"demo"}, []string{"-listen", "-turn-listen", "-sidecar-listen", "-call-interval", "-log-level", "-log-format"}, nil},
		{[]string{"voice"}, []string{"-config", "-check-config", "-insecure-no-auth", "-log-level", "ice.gathering_timeout", "ice.servers[].urls", "http.trusted_proxies"}, nil},
		{[]string{"sidecar"}, []string{"-config", "-check-config", "-log-level", "scrape.targets[].url", "cloudwatch.namespace", "modules"}, nil},
		{[]string{"logs", "report"}, []string{"-format", "-since", "-trusted-proxies", "-json", "cloudwatch:LOG_GROUP"}, nil},
		{[]string{"dashboards", "export"}, []string{"-out", "-config"}, []string{"-grafana-url", "-dry-run"}},
		{[]string{"dashboards", "apply"}, []string{"-grafana-url", "-cloudwatch", "-dry-run", "-region", "-log-level"}, []string{"-out"}},
		{[]string{"alerts", "export"}, []string{"-out", "-time-scale", "-config"}, []string{"-dry-run", "-alarm"}},
		{[]string{"alerts", "apply"}, []string{"-cloudwatch", "-dry-run", "-region", "-config"}, []string{"-out", "-alarm"}},
		{[]string{"alerts", "test-notify"}, []string{"-alarm", "-state"}, []string{"-out", "-dry-run"}},
		{[]string{"alerts", "receive"}, []string{"-listen", "-log-level"}, []string{"-out", "-dry-run"}},
		{[]string{"waf", "export"}, []string{"-out", "-config", "-routes", "-rate-limit", "-geo-count", "-log-destination", "-wcu-budget", "-web-acl-arn"}, []string{"-dry-run", "-alb"}},
		{[]string{"waf", "apply"}, []string{"-dry-run", "-alb", "-alb-access-logs", "-region", "-scope", "-behind-cloudfront", "-log-level"}, []string{"-out", "-web-acl-arn"}},
	} {
		name := strings.Join(tt.args, " ")
		t.Run(name, func(t *testing.T) {
			out, errOut, code := runCLI(t, append(tt.args, "--help")...)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q; want 0 and nothing on stderr", code, errOut)
			}
			if !strings.HasPrefix(out, "Usage: agent "+name) {
				t.Errorf("help starts %q, want \"Usage: agent %s\"", firstLine(out), name)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("help lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w+" ") || strings.Contains(out, w+"\n") {
					t.Errorf("help lists %q, a flag of another command:\n%s", w, out)
				}
			}
		})
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func TestUsageErrorType(t *testing.T) {
	err := usagef("alerts export", "--out DIR is required")
	var ue *usageError
	if !errors.As(err, &ue) || ue.command != "alerts export" {
		t.Fatalf("usagef = %#v", err)
	}
	if errors.As(errHelp, &ue) {
		t.Error("errHelp is not a usage error")
	}
}
