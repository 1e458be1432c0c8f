package voice

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/voicewatch/voicewatch/internal/httpguard/httpguardtest"
)

// TestGuardRoutesCoverHandler reads the routes Handler registers from
// routes.go and checks that the guard serves every one of them, so a new
// route cannot be turned away as unknown_route by a forgotten allow-list.
func TestGuardRoutesCoverHandler(t *testing.T) {
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`mux\.Handle(?:Func)?\("(?:[A-Z]+ )?(/[^"]*)"`)
	ms := re.FindAllStringSubmatch(string(src), -1)
	if len(ms) < 5 {
		t.Fatalf("found %d routes in routes.go; the pattern no longer matches how Handler registers them", len(ms))
	}
	id := regexp.MustCompile(`\{[^}$]+\}`)
	for _, m := range ms {
		path := strings.ReplaceAll(m[1], "{$}", "")
		path = id.ReplaceAllString(path, "x") // a path parameter: any one segment
		if strings.HasSuffix(path, "/") && path != "/" {
			path += "any/file.js" // a subtree
		}
		if path == "" {
			path = "/"
		}
		if !guardRoutes.Serves(path) {
			t.Errorf("Handler serves %q but GuardRoutes does not allow %q", m[1], path)
		}
	}
}

// TestGuardRoutesAreTheCorpusRoutes: the labelled request corpus that the
// guard's recall is measured on was labelled with the media core's routes.
func TestGuardRoutesAreTheCorpusRoutes(t *testing.T) {
	c := httpguardtest.Load(t)
	if !slices.Equal(c.Routes, GuardRoutes) {
		t.Errorf("corpus routes %q differ from GuardRoutes %q: update internal/httpguard/testdata/requests.tsv", c.Routes, GuardRoutes)
	}
}
