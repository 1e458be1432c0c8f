package deploy

import (
	"context"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// root is the repository root, relative to this package.
const root = ".."

// repoPath returns the absolute path of a repository-relative path.
func repoPath(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// loadCompose loads docker-compose.yaml (plus extra files) like
// `docker compose [--profile P] config` would, with env as the only
// environment (the developer's own variables must not change the result).
func loadCompose(t *testing.T, profiles []string, env map[string]string, extra ...string) *types.Project {
	t.Helper()
	files := []string{repoPath(t, "docker-compose.yaml")}
	for _, f := range extra {
		files = append(files, repoPath(t, f))
	}
	var envList []string
	for _, k := range slices.Sorted(maps.Keys(env)) {
		envList = append(envList, k+"="+env[k])
	}
	opts, err := cli.NewProjectOptions(files,
		cli.WithWorkingDirectory(repoPath(t, ".")),
		cli.WithEnv(envList),
		cli.WithProfiles(profiles),
		cli.WithResolvedPaths(true),
		cli.WithConsistency(true),
	)
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yaml (profiles %v): %v", profiles, err)
	}
	return p
}

// requireTool returns the path of an external tool; it skips the test when
// the tool is missing, except in CI (CI=true), where it fails.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found (scripts/install-test-deps.sh installs it): %v", name, err)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}
