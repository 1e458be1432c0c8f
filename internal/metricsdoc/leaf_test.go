package metricsdoc

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNamePackagesAreLeaves keeps the metric-name packages free of imports,
// as OpenTelemetry's semconv packages are: dashboards, alerts and the
// CloudWatch catalogue read names from them without linking pion, the AWS
// SDK or the media core.
func TestNamePackagesAreLeaves(t *testing.T) {
	for _, dir := range []string{"../../voice/voicemetrics", "../../probes/probemetrics", "../../exporter/sidecarmetrics"} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range entries {
				if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
					continue
				}
				n++
				f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, e.Name()), nil, parser.ImportsOnly)
				if err != nil {
					t.Fatal(err)
				}
				for _, imp := range f.Imports {
					t.Errorf("%s imports %s: a name package must stay a leaf", e.Name(), imp.Path.Value)
				}
			}
			if n == 0 {
				t.Fatalf("no Go files in %s", dir)
			}
		})
	}
}
