package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/voicewatch/voicewatch/probes/suite"
)

// The documented suite must load with the strict decoder, so the docs
// cannot drift from the config format.
func TestDocsExampleSuiteLoads(t *testing.T) {
	t.Setenv("VOICEWATCH_TURN_SECRET", "example-secret")
	t.Setenv("VOICEWATCH_WHIP_TOKEN", "example-token")
	specs, err := suite.LoadFile("../../docs/examples/probes.yaml", suite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) < 5 {
		t.Fatalf("%d probes in the example", len(specs))
	}
}

// Every flag the documented workflow passes to probe exists.
func TestDocsWorkflowFlagsExist(t *testing.T) {
	b, err := os.ReadFile("../../docs/examples/github-actions-probes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var wf map[string]any
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatalf("workflow is not YAML: %v", err)
	}
	var c common
	fs := newFlagSet("run", io.Discard)
	c.register(fs)
	suiteCmd(fs, &c)
	runLine := string(b[strings.Index(string(b), "bin/probe run"):])
	runLine = runLine[:strings.Index(runLine, "- name:")]
	for _, m := range regexp.MustCompile(`--([a-z-]+)`).FindAllStringSubmatch(runLine, -1) {
		if fs.Lookup(m[1]) == nil {
			t.Errorf("workflow uses --%s, which probe run does not define", m[1])
		}
	}
}

// Every `probe <kind> ...` command a runbook tells on-call to run uses
// flags that kind defines: a renamed flag breaks this test, not an
// incident.
func TestRunbookProbeCommandsUseRealFlags(t *testing.T) {
	files, err := filepath.Glob("../../docs/runbooks/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no runbooks: %v", err)
	}
	cmdRE := regexp.MustCompile("`probe (stun|turn|webrtc|http) ([^`]*)`")
	seen := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(string(b), "\n", " ")
		for _, m := range cmdRE.FindAllStringSubmatch(text, -1) {
			seen++
			var c common
			fs := newFlagSet(m[1], io.Discard)
			c.register(fs)
			switch m[1] {
			case "stun":
				stunCmd(fs)
			case "turn":
				turnCmd(fs)
			case "webrtc":
				webrtcCmd(fs)
			case "http":
				httpCmd(fs)
			}
			for _, fl := range regexp.MustCompile(`(?:^|\s)--([a-z-]+)`).FindAllStringSubmatch(m[2], -1) {
				if fs.Lookup(fl[1]) == nil {
					t.Errorf("%s: `probe %s` uses --%s, which it does not define", filepath.Base(f), m[1], fl[1])
				}
			}
		}
	}
	t.Logf("%d probe commands checked", seen)
	if seen < 5 {
		t.Errorf("only %d probe commands found in the runbooks", seen)
	}
}

// TestUsageListsEveryFlag: probe --help names every flag each kind and the
// common set define, so a new flag cannot ship without its line.
func TestUsageListsEveryFlag(t *testing.T) {
	for kind, register := range map[string]func(*flag.FlagSet){
		"common": func(fs *flag.FlagSet) { (&common{}).register(fs) },
		"stun":   func(fs *flag.FlagSet) { stunCmd(fs) },
		"turn":   func(fs *flag.FlagSet) { turnCmd(fs) },
		"webrtc": func(fs *flag.FlagSet) { webrtcCmd(fs) },
		"http":   func(fs *flag.FlagSet) { httpCmd(fs) },
	} {
		fs := flag.NewFlagSet(kind, flag.ContinueOnError)
		register(fs)
		fs.VisitAll(func(f *flag.Flag) {
			if !strings.Contains(usageText, "--"+f.Name+" ") && !strings.Contains(usageText, "--"+f.Name+"\n") &&
				!strings.Contains(usageText, "-"+f.Name+" ") {
				t.Errorf("%s flag --%s is not in probe --help", kind, f.Name)
			}
		})
	}
}
