package httpguard

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestEREsGolden keeps testdata/eres.golden, one "pattern<TAB>ERE" line per
// pattern in priority order, in step with the rules, so that a rule change
// shows up in review and the sidecar's grep baseline can read the file.
func TestEREsGolden(t *testing.T) {
	var b strings.Builder
	eres := EREs()
	for _, p := range Patterns() {
		if ere, ok := eres[p]; ok {
			b.WriteString(string(p) + "\t" + ere + "\n")
		}
	}
	golden := filepath.Join("testdata", "eres.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestEREsGolden -update)", err)
	}
	if b.String() != string(want) {
		t.Errorf("EREs() differ from %s; run go test -run TestEREsGolden -update and review the diff", golden)
	}
}
