package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A team writes its owner and escalation path once in the alerts config;
// `agent alerts export` renders them into every runbook it writes.
func TestAlertsExportRendersRunbookConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "alerts.yaml")
	if err := os.WriteFile(cfg, []byte(`runbooks:
  team: Voice SRE (Berlin)
  escalation:
    - {after: 0s, contact: "primary: +49 30 000000"}
    - {after: 20m, contact: "Head of SRE"}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "alerts", "export", "--config", cfg, "--out", filepath.Join(dir, "out"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	page := filepath.Join(dir, "out", "runbooks", "probe-turn-failing.md")
	if !strings.Contains(out, "wrote "+page+"\n") {
		t.Fatalf("export does not name %s:\n%s", page, out)
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Voice SRE (Berlin)", "| at once | primary: +49 30 000000 |", "| after 20m | Head of SRE |"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %q", page, want)
		}
	}
}
