package main

import (
	"io"
	"os"
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
