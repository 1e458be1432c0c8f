package deploy

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

// builtImages are the images docker-compose.yaml builds, by Dockerfile
// stage: the full agent, and the sidecar's built with -tags sidecaronly.
var builtImages = map[string]string{"runtime": "voicewatch:local", "sidecar": "voicewatch-sidecar:local"}

// builtHere reports whether compose builds the service's image from the
// Dockerfile (it runs an agent).
func builtHere(s types.ServiceConfig) bool { return s.Build != nil }

var (
	baseServices = []string{"alert-receiver", "alertmanager", "coturn", "grafana", "prometheus", "sidecar", "voice"}
	awsServices  = []string{"localstack", "sidecar-cloudwatch"}
)

func TestComposeServicesPerProfile(t *testing.T) {
	tests := []struct {
		name     string
		profiles []string
		want     []string
	}{
		{"default", nil, baseServices},
		{"aws profile", []string{"aws"}, slices.Sorted(slices.Values(append(slices.Clone(baseServices), awsServices...)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := loadCompose(t, tt.profiles, nil)
			if got := p.ServiceNames(); !slices.Equal(slices.Sorted(slices.Values(got)), tt.want) {
				t.Fatalf("services %v, want %v", got, tt.want)
			}
		})
	}
}

// forEachService runs fn for every service, with the aws profile off and on.
func forEachService(t *testing.T, fn func(t *testing.T, p *types.Project, s types.ServiceConfig)) {
	for _, profiles := range [][]string{nil, {"aws"}} {
		p := loadCompose(t, profiles, nil)
		for _, name := range p.ServiceNames() {
			if profiles != nil && !slices.Contains(awsServices, name) {
				continue // checked with the profile off
			}
			t.Run(name, func(t *testing.T) { fn(t, p, p.Services[name]) })
		}
	}
}

func TestComposeImages(t *testing.T) {
	stages := dockerfileStages(t)
	forEachService(t, func(t *testing.T, _ *types.Project, s types.ServiceConfig) {
		if s.Build != nil {
			if want := builtImages[s.Build.Target]; s.Image != want {
				t.Errorf("image built from stage %q is tagged %q, want %q", s.Build.Target, s.Image, want)
			}
			if s.Build.Context != repoPath(t, ".") {
				t.Errorf("build context %s, want the repository root", s.Build.Context)
			}
			if _, err := os.Stat(filepath.Join(s.Build.Context, s.Build.Dockerfile)); err != nil {
				t.Errorf("build dockerfile: %v", err)
			}
			if !slices.Contains(stages, s.Build.Target) {
				t.Errorf("build target %q is not a stage of the Dockerfile (stages %v)", s.Build.Target, stages)
			}
			return
		}
		name, tag, ok := strings.Cut(s.Image, ":")
		if !ok || tag == "" || tag == "latest" || name == "" {
			t.Errorf("image %q: pin a version tag", s.Image)
		}
	})
}

func TestComposeMounts(t *testing.T) {
	forEachService(t, func(t *testing.T, p *types.Project, s types.ServiceConfig) {
		for _, v := range s.Volumes {
			switch v.Type {
			case types.VolumeTypeBind:
				if !strings.HasPrefix(v.Source, repoPath(t, ".")+string(filepath.Separator)) {
					t.Errorf("bind mount %s is outside the repository", v.Source)
				}
				if _, err := os.Stat(v.Source); err != nil {
					t.Errorf("bind mount source: %v", err)
				}
				if !v.ReadOnly {
					t.Errorf("bind mount %s → %s is writable; mount repository files :ro", v.Source, v.Target)
				}
			case types.VolumeTypeVolume:
				if _, ok := p.Volumes[v.Source]; !ok {
					t.Errorf("named volume %q is not declared under volumes:", v.Source)
				}
			default:
				t.Errorf("volume %s: unexpected type %s", v.Target, v.Type)
			}
		}
		for _, sec := range s.Secrets {
			if _, ok := p.Secrets[sec.Source]; !ok {
				t.Errorf("secret %q is not declared under secrets:", sec.Source)
			}
		}
	})
}

// listenPorts returns the TCP ports the service's process listens on, from
// its own configuration (what ports and health checks must point at).
func listenPorts(t *testing.T, s types.ServiceConfig) []uint32 {
	t.Helper()
	switch {
	case !builtHere(s):
		return nil
	case s.Command[0] == "voice":
		c := voiceConfigFor(t, s)
		return []uint32{portOf(t, c.Listen), portOf(t, c.MetricsListen)}
	case s.Command[0] == "sidecar":
		return []uint32{portOf(t, sidecarConfigFor(t, s).Listen)}
	case s.Command[0] == "alerts" && s.Command[1] == "receive":
		i := slices.Index(s.Command, "--listen")
		if i < 0 {
			t.Fatalf("alerts receive without --listen: %v", s.Command)
		}
		return []uint32{portOf(t, s.Command[i+1])}
	}
	t.Fatalf("unknown voicewatch command %v", s.Command)
	return nil
}

func portOf(t *testing.T, hostport string) uint32 {
	t.Helper()
	_, port, err := net.SplitHostPort(hostport)
	if err != nil {
		t.Fatalf("%q: %v", hostport, err)
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		t.Fatalf("%q: %v", hostport, err)
	}
	return uint32(n)
}

func TestComposePorts(t *testing.T) {
	forEachService(t, func(t *testing.T, _ *types.Project, s types.ServiceConfig) {
		listens := listenPorts(t, s)
		for _, pc := range s.Ports {
			if pc.HostIP != "127.0.0.1" {
				t.Errorf("port %d/%s published on %q by default; bind to ${VOICEWATCH_BIND:-127.0.0.1}", pc.Target, pc.Protocol, pc.HostIP)
			}
			if pc.Published != strconv.Itoa(int(pc.Target)) {
				t.Errorf("port %d/%s published as %s: keep host and container ports equal (ICE candidates carry them)", pc.Target, pc.Protocol, pc.Published)
			}
			if listens != nil && pc.Protocol == "tcp" && !slices.Contains(listens, pc.Target) {
				t.Errorf("publishes tcp port %d, but the process listens on %v", pc.Target, listens)
			}
		}
	})
}

// udpRange returns the lowest and highest published UDP port of a service
// and how many there are.
func udpRange(s types.ServiceConfig) (lo, hi uint32, n int) {
	for _, pc := range s.Ports {
		if pc.Protocol != "udp" || pc.Target == 3478 {
			continue
		}
		if n == 0 || pc.Target < lo {
			lo = pc.Target
		}
		hi = max(hi, pc.Target)
		n++
	}
	return lo, hi, n
}

func TestComposeMediaPortRanges(t *testing.T) {
	p := loadCompose(t, nil, nil)
	t.Run("voice publishes ice.udp_port_min..max", func(t *testing.T) {
		v := p.Services["voice"]
		c := voiceConfigFor(t, v)
		lo, hi, n := udpRange(v)
		if lo != uint32(c.ICE.UDPPortMin) || hi != uint32(c.ICE.UDPPortMax) || n != int(hi-lo+1) {
			t.Errorf("published UDP %d-%d (%d ports), voice.yaml uses %d-%d", lo, hi, n, c.ICE.UDPPortMin, c.ICE.UDPPortMax)
		}
	})
	t.Run("coturn publishes its relay range and 3478", func(t *testing.T) {
		c := p.Services["coturn"]
		conf := turnserverConf(t, c)
		lo, hi, n := udpRange(c)
		if strconv.Itoa(int(lo)) != conf["min-port"] || strconv.Itoa(int(hi)) != conf["max-port"] || n != int(hi-lo+1) {
			t.Errorf("published UDP %d-%d (%d ports), turnserver.conf relays on %s-%s", lo, hi, n, conf["min-port"], conf["max-port"])
		}
		for _, proto := range []string{"udp", "tcp"} {
			if !slices.ContainsFunc(c.Ports, func(pc types.ServicePortConfig) bool {
				return pc.Protocol == proto && strconv.Itoa(int(pc.Target)) == conf["listening-port"]
			}) {
				t.Errorf("listening-port %s/%s is not published", conf["listening-port"], proto)
			}
		}
	})
}

// healthcheckURL returns the URL of a `/probe http URL` health check.
func healthcheckURL(t *testing.T, test []string) string {
	t.Helper()
	if len(test) < 4 || test[0] != "CMD" || test[1] != "/probe" || test[2] != "http" {
		t.Fatalf("health check %q: the image has no shell or curl; use [CMD, /probe, http, URL, ...]", test)
	}
	return test[3]
}

func TestComposeHealthchecks(t *testing.T) {
	forEachService(t, func(t *testing.T, _ *types.Project, s types.ServiceConfig) {
		if s.Name == "coturn" {
			return // no client in the image; the sidecar's probes watch it
		}
		hc := s.HealthCheck
		if hc == nil || hc.Disable || len(hc.Test) == 0 {
			t.Fatal("no health check")
		}
		if hc.Timeout == nil || hc.Interval == nil || time.Duration(*hc.Timeout) >= time.Duration(*hc.Interval) {
			t.Errorf("health check needs a timeout below its interval")
		}
		if !builtHere(s) {
			return
		}
		u := healthcheckURL(t, hc.Test)
		var port uint32
		if _, err := fmt.Sscanf(u, "http://127.0.0.1:%d/-/healthy", &port); err != nil {
			t.Fatalf("health check URL %q: want http://127.0.0.1:PORT/-/healthy", u)
		}
		if listens := listenPorts(t, s); !slices.Contains(listens, port) {
			t.Errorf("health check on port %d, but the process listens on %v", port, listens)
		}
		if i := slices.Index(hc.Test, "--timeout"); i < 0 {
			t.Error("probe http without --timeout: its default (10s) outlives the health check timeout")
		} else if d, err := time.ParseDuration(hc.Test[i+1]); err != nil || d >= time.Duration(*hc.Timeout) {
			t.Errorf("probe --timeout %s must be below the health check timeout %v", hc.Test[i+1], time.Duration(*hc.Timeout))
		}
	})
}

func TestComposeDependsOn(t *testing.T) {
	forEachService(t, func(t *testing.T, p *types.Project, s types.ServiceConfig) {
		for dep, d := range s.DependsOn {
			target, ok := p.Services[dep]
			if !ok {
				t.Errorf("depends on %q, which is not a service with these profiles", dep)
				continue
			}
			if d.Condition == types.ServiceConditionHealthy && target.HealthCheck == nil {
				t.Errorf("waits for %q to be healthy, but it has no health check", dep)
			}
		}
	})
}

// TestComposeDemoSecrets checks that the demo-only secrets are variables
// with a default (never a literal), so .env or the environment replaces them.
func TestComposeDemoSecrets(t *testing.T) {
	const override = "from-the-environment"
	env := map[string]string{"TURN_SHARED_SECRET": override, "VOICEWATCH_WHIP_TOKEN": override, "GRAFANA_ADMIN_PASSWORD": override}
	p := loadCompose(t, []string{"aws"}, env)
	for svc, keys := range map[string][]string{
		"voice":              {"TURN_SHARED_SECRET", "VOICEWATCH_WHIP_TOKEN"},
		"sidecar":            {"TURN_SHARED_SECRET", "VOICEWATCH_WHIP_TOKEN"},
		"sidecar-cloudwatch": {"TURN_SHARED_SECRET", "VOICEWATCH_WHIP_TOKEN"},
		"grafana":            {"GF_SECURITY_ADMIN_PASSWORD"},
	} {
		for _, k := range keys {
			if v := p.Services[svc].Environment[k]; v == nil || *v != override {
				t.Errorf("%s: %s is not taken from the environment", svc, k)
			}
		}
	}
	coturn := strings.Join(p.Services["coturn"].Command, " ")
	if !strings.Contains(coturn, "--static-auth-secret="+override) {
		t.Errorf("coturn's static-auth-secret is not TURN_SHARED_SECRET: %s", coturn)
	}
}
