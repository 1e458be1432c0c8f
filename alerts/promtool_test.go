package alerts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tool returns the path of a Debian-packaged tool, skipping the test when
// it is missing (failing instead when CI=true).
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found (install the Debian package): %v", name, err)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

// writeTree writes files (relative paths) under a new temp dir.
func writeTree(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for rel, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestPromtool runs `promtool check rules` and `promtool test rules` on the
// freshly generated rules and unit tests.
func TestPromtool(t *testing.T) {
	promtool := tool(t, "promtool")
	dir := writeTree(t, committed(t))
	run := func(args ...string) {
		t.Helper()
		out, err := exec.Command(promtool, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("check", "rules", "--lint=all", "--lint-fatal", filepath.Join(dir, PathRules))
	tests, _ := filepath.Glob(filepath.Join(dir, "prometheus", "tests", "*.yml"))
	if len(tests) == 0 {
		t.Fatal("no promtool test files generated")
	}
	run(append([]string{"test", "rules"}, tests...)...)
}
