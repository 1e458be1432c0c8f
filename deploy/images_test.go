package deploy

import (
	"bytes"
	"debug/buildinfo"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

// The images' agents, built as the Dockerfile builds them, and what runs
// them: compose services and ECS containers must run a command their
// image's agent has, with a configuration it accepts. The sidecar image's
// agent is built with -tags sidecaronly and has only 'agent sidecar'.

// goBuildRe matches one `go build` of the Dockerfile's build stage.
var goBuildRe = regexp.MustCompile(`go build ([^&]*?)-o /out/(\S+) (\./cmd/\S+)`)

var tagsRe = regexp.MustCompile(`-tags[ =](\S+)`)

var (
	imageBinsOnce sync.Once
	imageBins     map[string]string // /out name → built binary
	imageBinsErr  error
)

// buildImageBinaries builds every binary the Dockerfile's build stage
// builds, with its build tags, into a temporary directory (without
// -trimpath and CGO_ENABLED=0, which change what the build cache can
// reuse but not which commands a binary has). Built once per test run.
func buildImageBinaries(t *testing.T) map[string]string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("go is not in PATH: the images' binaries cannot be built")
	}
	imageBinsOnce.Do(func() {
		dir, err := os.MkdirTemp("", "voicewatch-images-")
		if err != nil {
			imageBinsErr = err
			return
		}
		imageBins = map[string]string{}
		for _, l := range dockerfileLines(t) {
			for _, m := range goBuildRe.FindAllStringSubmatch(l, -1) {
				args := []string{"build"}
				if tm := tagsRe.FindStringSubmatch(m[1]); tm != nil {
					args = append(args, "-tags", tm[1])
				}
				out := filepath.Join(dir, m[2])
				cmd := exec.Command(goBin, append(args, "-o", out, m[3])...)
				cmd.Dir = repoPath(t, ".")
				if b, err := cmd.CombinedOutput(); err != nil {
					imageBinsErr = errors.Join(imageBinsErr, errors.New(strings.Join(cmd.Args, " ")+": "+err.Error()+"\n"+string(b)))
					continue
				}
				imageBins[m[2]] = out
			}
		}
	})
	if imageBinsErr != nil {
		t.Fatal(imageBinsErr)
	}
	return imageBins
}

// removeImageBinaries removes what buildImageBinaries built (TestMain).
func removeImageBinaries() {
	for _, p := range imageBins {
		os.RemoveAll(filepath.Dir(p))
		return
	}
}

// stageAgents maps each final stage of the Dockerfile to the /out binary
// it copies to /agent.
func stageAgents(t *testing.T) map[string]string {
	t.Helper()
	copyRe := regexp.MustCompile(`^COPY --from=build /out/(\S+) /agent$`)
	agents := map[string]string{}
	stage := ""
	for _, l := range dockerfileLines(t) {
		if m := fromRe.FindStringSubmatch(l); m != nil {
			stage = m[2]
		}
		if m := copyRe.FindStringSubmatch(l); m != nil {
			agents[stage] = m[1]
		}
	}
	return agents
}

// agentCommands returns the commands an agent binary lists in its help.
func agentCommands(t *testing.T, bin string) []string {
	t.Helper()
	out, err := exec.Command(bin, "--help").Output()
	if err != nil {
		t.Fatalf("%s --help: %v", bin, err)
	}
	_, list, ok := strings.Cut(string(out), "Commands:\n")
	if !ok {
		t.Fatalf("%s --help lists no commands:\n%s", bin, out)
	}
	var cmds []string
	for line := range strings.Lines(list) {
		f := strings.Fields(line)
		if !strings.HasPrefix(line, "  ") || len(f) == 0 {
			break
		}
		cmds = append(cmds, f[0])
	}
	return cmds
}

// checkConfig runs the agent's command with --check-config, the config path
// inside the image replaced by the repository's file, and exactly env.
func checkConfig(t *testing.T, bin string, command []string, configFile string, env map[string]string) {
	t.Helper()
	args := slices.Clone(command)
	i := slices.Index(args, "--config")
	if i < 0 || i+1 >= len(args) {
		t.Fatalf("command %v has no --config", command)
	}
	args[i+1] = configFile
	cmd := exec.Command(bin, append(args, "--check-config")...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Errorf("agent %s --check-config: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
}

// imageStage maps an ECS image (…/NAME:TAG) to the Dockerfile stage that
// builds it, by the name compose tags it with.
func imageStage(t *testing.T, image string) string {
	t.Helper()
	name := image[strings.LastIndex(image, "/")+1:]
	name, _, _ = strings.Cut(name, ":")
	for stage, img := range builtImages {
		if n, _, _ := strings.Cut(img, ":"); n == name {
			return stage
		}
	}
	t.Fatalf("image %q is not one the Dockerfile builds (%v)", image, builtImages)
	return ""
}

// TestImagesRunTheirCommands: every compose service and ECS container built
// from the Dockerfile runs a command its image's agent has, and that agent
// accepts the configuration it is given.
func TestImagesRunTheirCommands(t *testing.T) {
	bins := buildImageBinaries(t)
	agents := stageAgents(t)
	commands := map[string][]string{}
	for stage, out := range agents {
		bin, ok := bins[out]
		if !ok {
			t.Fatalf("stage %s copies /out/%s, which the build stage does not build (built: %v)", stage, out, bins)
		}
		commands[stage] = agentCommands(t, bin)
	}
	if got := commands["sidecar"]; !slices.Equal(got, []string{"sidecar"}) {
		t.Errorf("the sidecar image's agent has commands %v, want only [sidecar]", got)
	}
	if got := commands["runtime"]; len(got) < 2 || !slices.Contains(got, "voice") || !slices.Contains(got, "sidecar") {
		t.Errorf("the runtime image's agent has commands %v, want every command", got)
	}

	forEachService(t, func(t *testing.T, _ *types.Project, s types.ServiceConfig) {
		if !builtHere(s) {
			return
		}
		stage := s.Build.Target
		if !slices.Contains(commands[stage], s.Command[0]) {
			t.Fatalf("runs %q from stage %s, whose agent has only %v", s.Command[0], stage, commands[stage])
		}
		if slices.Contains(s.Command, "--config") {
			checkConfig(t, bins[agents[stage]], s.Command, mountSource(t, s, configArg(t, s.Command)), composeEnv(s))
		}
	})

	_, containers := loadTaskDefinition(t)
	for name, c := range containers {
		t.Run("ecs/"+name, func(t *testing.T) {
			stage := imageStage(t, c.Image)
			if !slices.Contains(commands[stage], c.Command[0]) {
				t.Fatalf("runs %q from image %s, whose agent has only %v", c.Command[0], c.Image, commands[stage])
			}
			cfg := configArg(t, c.Command)
			src, ok := imageFiles[cfg]
			if !ok {
				t.Fatalf("%s is not a file the image carries (%v)", cfg, imageFiles)
			}
			checkConfig(t, bins[agents[stage]], c.Command, repoPath(t, src), ecsEnv(c))
		})
	}
}

// TestSidecarImageAgent: the sidecar image's agent leaves out the AWS
// set-up clients the sidecar never calls, and a command it leaves out says
// which image has it.
func TestSidecarImageAgent(t *testing.T) {
	bin := buildImageBinaries(t)[stageAgents(t)["sidecar"]]
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	var deps []string
	for _, d := range info.Deps {
		deps = append(deps, d.Path)
	}
	for _, left := range []string{"service/wafv2", "service/elasticloadbalancingv2", "service/sns", "service/dynamodb"} {
		if slices.Contains(deps, "github.com/aws/aws-sdk-go-v2/"+left) {
			t.Errorf("the sidecar image's agent links github.com/aws/aws-sdk-go-v2/%s", left)
		}
	}
	for _, need := range []string{"service/cloudwatch", "service/cloudwatchlogs"} {
		if !slices.Contains(deps, "github.com/aws/aws-sdk-go-v2/"+need) {
			t.Errorf("the sidecar image's agent does not link github.com/aws/aws-sdk-go-v2/%s", need)
		}
	}
	cmd := exec.Command(bin, "voice", "--config", "/etc/voicewatch/voice.yaml")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("agent voice in the sidecar image: %v, want exit status 2 (usage)", err)
	}
	if !strings.Contains(stderr.String(), "not in this build") || !strings.Contains(stderr.String(), "voicewatch image") {
		t.Errorf("agent voice in the sidecar image says %q; want it to name the image that has it", stderr.String())
	}
}
