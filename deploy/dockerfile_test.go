package deploy

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// dockerfileLines returns the Dockerfile's instructions, continuation lines
// joined and comments dropped.
func dockerfileLines(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(repoPath(t, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	var cur strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if cur.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if s, ok := strings.CutSuffix(line, `\`); ok {
			cur.WriteString(s + " ")
			continue
		}
		cur.WriteString(line)
		lines = append(lines, cur.String())
		cur.Reset()
	}
	return lines
}

var fromRe = regexp.MustCompile(`(?i)^FROM\s+(\S+)(?:\s+AS\s+(\S+))?`)

// dockerfileStages returns the names of the Dockerfile's stages.
func dockerfileStages(t *testing.T) []string {
	t.Helper()
	var stages []string
	for _, l := range dockerfileLines(t) {
		if m := fromRe.FindStringSubmatch(l); m != nil {
			stages = append(stages, m[2])
		}
	}
	return stages
}

func TestDockerfile(t *testing.T) {
	lines := dockerfileLines(t)
	stages := map[string]string{} // name → instructions
	var names, bases []string
	for _, l := range lines {
		if m := fromRe.FindStringSubmatch(l); m != nil {
			names = append(names, m[2])
			bases = append(bases, m[1])
		}
		if len(names) > 0 {
			stages[names[len(names)-1]] += l + "\n"
		}
	}
	if !slices.Equal(names, []string{"build", "sidecar", "runtime"}) {
		t.Fatalf("stages %v, want [build sidecar runtime] (runtime last: the default target)", names)
	}
	build := stages["build"]
	for _, want := range []string{"golang:${GO_VERSION}", "CGO_ENABLED=0", "--mount=type=cache,target=/go/pkg/mod",
		"-trimpath", `-ldflags "-s -w"`, "-o /out/agent ./cmd/agent", "-tags sidecaronly -o /out/agent-sidecar ./cmd/agent", "./cmd/probe"} {
		if !strings.Contains(build, want) {
			t.Errorf("build stage lacks %q", want)
		}
	}
	if !strings.Contains(strings.Join(lines, "\n"), "ARG GO_VERSION=1.26") {
		t.Error("the builder is not pinned to Go 1.26 (go.mod)")
	}
	// The configs each image carries for ECS (where nothing is mounted).
	carries := map[string][]string{
		"runtime": {"/etc/voicewatch/voice.yaml", "/etc/voicewatch/sidecar.yaml"},
		"sidecar": {"/etc/voicewatch/sidecar.yaml"},
	}
	agents := map[string]string{"runtime": "/out/agent", "sidecar": "/out/agent-sidecar"}
	for i, name := range names[1:] {
		final := stages[name]
		if !strings.HasPrefix(bases[i+1], "gcr.io/distroless/static") {
			t.Errorf("stage %s is %s, want distroless static (CA certificates, no shell)", name, bases[i+1])
		}
		for _, want := range []string{"COPY --from=build " + agents[name] + " /agent", "COPY --from=build /out/probe /probe",
			"USER 65532:65532", `ENTRYPOINT ["/agent"]`} {
			if !strings.Contains(final, want) {
				t.Errorf("stage %s lacks %q", name, want)
			}
		}
		for _, dst := range carries[name] {
			src := imageFiles[dst]
			if !strings.Contains(final, src) || !strings.Contains(final, filepath.Dir(dst)+"/") {
				t.Errorf("stage %s does not copy %s to %s", name, src, dst)
			}
			if _, err := os.Stat(repoPath(t, src)); err != nil {
				t.Error(err)
			}
		}
	}
}

// TestDockerignoreKeepsTheBuildInputs checks that .dockerignore excludes
// none of the files `go build ./cmd/agent ./cmd/probe` reads (Go and
// embedded files of every package in the module) nor the copied configs.
func TestDockerignoreKeepsTheBuildInputs(t *testing.T) {
	ig := loadDockerignore(t)
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go not in PATH")
	}
	cmd := exec.Command(goBin, "list", "-deps", "-json=Dir,Module,GoFiles,EmbedFiles", "./cmd/agent", "./cmd/probe")
	cmd.Dir = repoPath(t, ".")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	type pkg struct {
		Dir                 string
		Module              *struct{ Path string }
		GoFiles, EmbedFiles []string
	}
	need := []string{"go.mod", "go.sum", "deploy/voice.yaml", "deploy/sidecar.yaml"}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		if p.Module == nil || p.Module.Path != "github.com/voicewatch/voicewatch" {
			continue
		}
		rel, err := filepath.Rel(repoPath(t, "."), p.Dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range append(p.GoFiles, p.EmbedFiles...) {
			need = append(need, filepath.ToSlash(filepath.Join(rel, f)))
		}
	}
	if len(need) < 20 {
		t.Fatalf("go list found only %d inputs", len(need))
	}
	for _, f := range need {
		if ig.excluded(f) {
			t.Errorf(".dockerignore excludes %s, which the image build needs", f)
		}
	}
	for _, f := range []string{".git/HEAD", "docs/metrics.md", "probes/testdata/x", "alerts/prometheus/voicewatch.rules.yml"} {
		if !ig.excluded(f) {
			t.Errorf(".dockerignore should keep %s out of the build context", f)
		}
	}
}

// dockerignore is a .dockerignore: patterns relative to the context root,
// "**" for any number of directories, a match on a directory excludes
// what is under it, later "!" patterns re-include.
type dockerignore []struct {
	re     *regexp.Regexp
	negate bool
}

func loadDockerignore(t *testing.T) dockerignore {
	t.Helper()
	b, err := os.ReadFile(repoPath(t, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	var ig dockerignore
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		neg := strings.HasPrefix(line, "!")
		line = strings.Trim(strings.TrimPrefix(line, "!"), "/")
		var re strings.Builder
		re.WriteString("^")
		for i := 0; i < len(line); i++ {
			switch c := line[i]; {
			case strings.HasPrefix(line[i:], "**/"):
				re.WriteString("(?:.*/)?")
				i += 2
			case strings.HasPrefix(line[i:], "**"):
				re.WriteString(".*")
				i++
			case c == '*':
				re.WriteString("[^/]*")
			case c == '?':
				re.WriteString("[^/]")
			default:
				re.WriteString(regexp.QuoteMeta(string(c)))
			}
		}
		re.WriteString("(?:/.*)?$")
		ig = append(ig, struct {
			re     *regexp.Regexp
			negate bool
		}{regexp.MustCompile(re.String()), neg})
	}
	return ig
}

func (ig dockerignore) excluded(path string) bool {
	ex := false
	for _, p := range ig {
		if p.re.MatchString(path) {
			ex = !p.negate
		}
	}
	return ex
}
