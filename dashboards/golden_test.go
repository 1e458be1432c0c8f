package dashboards_test

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/voicewatch/voicewatch/dashboards"
)

var update = flag.Bool("update", false, "rewrite the committed dashboards JSON and provisioning files")

// TestGolden regenerates every committed file under dashboards/ from the
// default Config and fails when one is stale, missing or left over.
func TestGolden(t *testing.T) {
	g, err := dashboards.New(dashboards.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if _, err := g.Export("."); err != nil {
			t.Fatal(err)
		}
	}
	files, err := g.Files()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, f := range files {
		want[filepath.ToSlash(f.Path)] = true
		t.Run(f.Path, func(t *testing.T) {
			got, err := os.ReadFile(f.Path)
			if err != nil {
				t.Fatalf("%v (run: go test ./dashboards -run TestGolden -update)", err)
			}
			if !bytes.Equal(got, f.Data) {
				t.Errorf("%s is stale: run go test ./dashboards -run TestGolden -update", f.Path)
			}
		})
	}
	for _, dir := range []string{"grafana", "cloudwatch", "provisioning"} {
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !want[filepath.ToSlash(p)] {
				t.Errorf("%s is not generated any more: delete it", p)
			}
			return nil
		})
	}
}
