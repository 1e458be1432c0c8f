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
//
// The catalogue (exporter/cloudwatch/catalog) is a leaf above them: it may
// import the three name packages and the standard library's slices and
// strings, nothing else.
func TestNamePackagesAreLeaves(t *testing.T) {
	names := map[string]bool{}
	catalogue := map[string]bool{`"slices"`: true, `"strings"`: true,
		`"github.com/voicewatch/voicewatch/voice/voicemetrics"`:      true,
		`"github.com/voicewatch/voicewatch/probes/probemetrics"`:     true,
		`"github.com/voicewatch/voicewatch/exporter/sidecarmetrics"`: true}
	for dir, allowed := range map[string]map[string]bool{"../../voice/voicemetrics": names, "../../probes/probemetrics": names,
		"../../exporter/sidecarmetrics": names, "../../exporter/cloudwatch/catalog": catalogue} {
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
					if !allowed[imp.Path.Value] {
						t.Errorf("%s imports %s: a name package must stay a leaf", e.Name(), imp.Path.Value)
					}
				}
			}
			if n == 0 {
				t.Fatalf("no Go files in %s", dir)
			}
		})
	}
}
