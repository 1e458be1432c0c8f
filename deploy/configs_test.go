package deploy

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/voicewatch/voicewatch/exporter/sidecar"
	"github.com/voicewatch/voicewatch/voice"
)

// imageFiles are the configs the Dockerfile copies into the image (for ECS,
// where nothing is mounted); TestDockerfile checks the COPY.
var imageFiles = map[string]string{
	"/etc/voicewatch/voice.yaml":   "deploy/voice.yaml",
	"/etc/voicewatch/sidecar.yaml": "deploy/sidecar.yaml",
}

// configArg returns the value of --config in a command line.
func configArg(t *testing.T, cmd []string) string {
	t.Helper()
	return flagValue(t, cmd, "--config")
}

// mountSource returns the host file mounted at target in a service.
func mountSource(t *testing.T, s types.ServiceConfig, target string) string {
	t.Helper()
	for _, v := range s.Volumes {
		if v.Target == target && v.Type == types.VolumeTypeBind {
			return v.Source
		}
	}
	t.Fatalf("service %s: nothing is mounted at %s", s.Name, target)
	return ""
}

// composeEnv returns a service's environment as a map.
func composeEnv(s types.ServiceConfig) map[string]string {
	env := map[string]string{}
	for k, v := range s.Environment {
		if v != nil {
			env[k] = *v
		}
	}
	return env
}

var envRefRe = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// requireEnv fails unless env sets every ${NAME} of the file at path (the
// loaders fail on unset variables; this names the file and the variable).
func requireEnv(t *testing.T, path string, env map[string]string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for line := range strings.Lines(string(b)) {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			text.WriteString(line)
		}
	}
	for _, m := range envRefRe.FindAllStringSubmatch(text.String(), -1) {
		if _, ok := env[m[1]]; !ok {
			t.Errorf("%s references ${%s}, which the environment does not set", filepath.Base(path), m[1])
		}
	}
}

// loadVoice loads a voice.yaml with the project's loader and exactly env.
func loadVoice(t *testing.T, path string, env map[string]string) voice.Config {
	t.Helper()
	requireEnv(t, path, env)
	for k, v := range env {
		t.Setenv(k, v)
	}
	c, err := voice.LoadConfig(path)
	if err != nil {
		t.Fatalf("voice.LoadConfig(%s): %v", path, err)
	}
	return c
}

// loadSidecar loads a sidecar.yaml with the project's loader and exactly env.
func loadSidecar(t *testing.T, path string, env map[string]string) sidecar.Config {
	t.Helper()
	requireEnv(t, path, env)
	c, err := sidecar.LoadConfig(path, sidecar.LoadOptions{Getenv: func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}})
	if err != nil {
		t.Fatalf("sidecar.LoadConfig(%s): %v", path, err)
	}
	return c
}

// voiceConfigFor loads the voice.yaml a compose service runs with.
func voiceConfigFor(t *testing.T, s types.ServiceConfig) voice.Config {
	t.Helper()
	return loadVoice(t, mountSource(t, s, configArg(t, s.Command)), composeEnv(s))
}

// sidecarConfigFor loads the sidecar.yaml a compose service runs with.
func sidecarConfigFor(t *testing.T, s types.ServiceConfig) sidecar.Config {
	t.Helper()
	return loadSidecar(t, mountSource(t, s, configArg(t, s.Command)), composeEnv(s))
}

// turnserverConf parses the coturn config the service mounts (key=value
// and bare flags; comments dropped).
func turnserverConf(t *testing.T, s types.ServiceConfig) map[string]string {
	t.Helper()
	path := mountSource(t, s, flagValue(t, s.Command, "-c"))
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	conf := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, _ := strings.Cut(line, "=")
		conf[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return conf
}

// flagValue returns the value after flag in a command line.
func flagValue(t *testing.T, cmd []string, flag string) string {
	t.Helper()
	i := slices.Index(cmd, flag)
	if i < 0 || i+1 >= len(cmd) {
		t.Fatalf("command %v has no %s FILE", cmd, flag)
	}
	return cmd[i+1]
}

func TestComposeConfigsLoad(t *testing.T) {
	p := loadCompose(t, []string{"aws"}, nil)
	t.Run("voice", func(t *testing.T) {
		c := voiceConfigFor(t, p.Services["voice"])
		if len(c.ICE.Servers) == 0 {
			t.Error("no ICE servers")
		}
	})
	for _, name := range []string{"sidecar", "sidecar-cloudwatch"} {
		t.Run(name, func(t *testing.T) {
			c := sidecarConfigFor(t, p.Services[name])
			if c.CloudWatch == nil {
				t.Fatal("no cloudwatch section")
			}
			want := map[string]string{"sidecar": "emf", "sidecar-cloudwatch": "api"}[name]
			if c.CloudWatch.Mode != want {
				t.Errorf("cloudwatch mode %q, want %q", c.CloudWatch.Mode, want)
			}
			if name == "sidecar-cloudwatch" {
				if _, ok := p.Services["localstack"]; !ok || !strings.HasPrefix(c.CloudWatch.Endpoint, "http://localstack:") {
					t.Errorf("cloudwatch endpoint %q does not point at the localstack service", c.CloudWatch.Endpoint)
				}
			}
			if c.ShutdownGrace+5*time.Second != durationOf(p.Services[name].StopGracePeriod) {
				t.Errorf("stop_grace_period %v, want shutdown_grace %v + 5s", durationOf(p.Services[name].StopGracePeriod), c.ShutdownGrace)
			}
		})
	}
	t.Run("coturn shares the secret mechanism with voice", func(t *testing.T) {
		conf := turnserverConf(t, p.Services["coturn"])
		if _, ok := conf["use-auth-secret"]; !ok {
			t.Error("turnserver.conf lacks use-auth-secret (TURN REST credentials)")
		}
		if _, ok := conf["static-auth-secret"]; ok {
			t.Error("turnserver.conf holds the secret; pass it from TURN_SHARED_SECRET")
		}
		c := voiceConfigFor(t, p.Services["voice"])
		found := false
		for _, s := range c.ICE.Servers {
			for _, u := range s.URLs {
				if strings.HasPrefix(u, "turn:coturn:"+conf["listening-port"]) && s.Secret != "" {
					found = true
				}
			}
		}
		if !found {
			t.Error("voice has no TURN server turn:coturn with a shared secret")
		}
	})
}

// durationOf converts a compose duration (nil: 0).
func durationOf(d *types.Duration) time.Duration {
	if d == nil {
		return 0
	}
	return time.Duration(*d)
}
