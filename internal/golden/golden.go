// Package golden compares test output with a committed golden file, or
// rewrites the file when the test binary runs with -update. Every package's
// golden tests share it; each test package declares its own -update flag
// (a flag can be registered once per binary) and passes its value.
package golden

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Check compares got with the file at path; with update it writes got
// there instead (creating directories).
func Check(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run the test with -update to accept it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// InvalidFiles is the blackbox_exporter-style test of a config loader:
// every file matching pattern (e.g. "testdata/invalid-*.yml") must be
// refused by load, with exactly the error in the file beside it with the
// extension .err (rewritten with update). Each file is a subtest.
func InvalidFiles(t *testing.T, pattern string, update bool, load func(t *testing.T, path string) error) {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no files match %s (%v)", pattern, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			err := load(t, f)
			if err == nil {
				t.Fatal("accepted")
			}
			Check(t, strings.TrimSuffix(f, filepath.Ext(f))+".err", []byte(err.Error()+"\n"), update)
		})
	}
}
