package alerts

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the committed generated files (alerts/prometheus, alerts/alertmanager, alerts/cloudwatch)")

// committed returns every generated file with the default config, keyed by
// its path relative to this package: the export files plus the promtool
// unit tests.
func committed(t *testing.T) map[string][]byte {
	t.Helper()
	cfg, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	files, err := cfg.Files()
	if err != nil {
		t.Fatal(err)
	}
	for rel := range files {
		if strings.HasPrefix(rel, PathRunbooks+"/") {
			delete(files, rel) // committed under docs/runbooks: TestRunbooksGolden
		}
	}
	for name, f := range promTestFiles(cfg) {
		b, err := marshalYAML(f)
		if err != nil {
			t.Fatal(err)
		}
		files["prometheus/tests/"+name] = b
	}
	return files
}

// TestGoldenFiles fails when a committed generated file is stale; run
// `go test ./alerts -update` to regenerate.
func TestGoldenFiles(t *testing.T) {
	for rel, want := range committed(t) {
		t.Run(rel, func(t *testing.T) {
			path := filepath.FromSlash(rel)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./alerts -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s is stale: run go test ./alerts -update and commit the result", rel)
			}
		})
	}
}
