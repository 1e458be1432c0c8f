package deploy

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/voicewatch/voicewatch/alerts"
)

// promConfig is the part of prometheus.yml the checks need.
type promConfig struct {
	RuleFiles []string `yaml:"rule_files"`
	Alerting  struct {
		Alertmanagers []struct {
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"alertmanagers"`
	} `yaml:"alerting"`
	ScrapeConfigs []struct {
		JobName       string `yaml:"job_name"`
		StaticConfigs []struct {
			Targets []string `yaml:"targets"`
		} `yaml:"static_configs"`
	} `yaml:"scrape_configs"`
}

// imageDefaultPorts are the ports third-party images listen on by default.
var imageDefaultPorts = map[string]uint32{"prometheus": 9090, "alertmanager": 9093, "grafana": 3000}

func TestComposePrometheus(t *testing.T) {
	p := loadCompose(t, nil, nil)
	prom := p.Services["prometheus"]
	cfgPath := mountSource(t, prom, flagPrefixed(t, prom.Command, "--config.file="))
	b, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	var cfg promConfig
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	// servicePort fails unless host:port is a compose service listening there.
	servicePort := func(t *testing.T, target string) string {
		t.Helper()
		host, port, err := net.SplitHostPort(target)
		if err != nil {
			t.Fatalf("target %q: %v", target, err)
		}
		if host == "localhost" {
			return "self"
		}
		s, ok := p.Services[host]
		if !ok {
			t.Errorf("target %s: no compose service %q", target, host)
			return ""
		}
		n, _ := strconv.Atoi(port)
		listens := listenPorts(t, s)
		if d, ok := imageDefaultPorts[host]; ok {
			listens = append(listens, d)
		}
		if !slices.Contains(listens, uint32(n)) {
			t.Errorf("target %s: %s listens on %v", target, host, listens)
		}
		return host
	}

	def, err := alerts.New(alerts.Config{})
	if err != nil {
		t.Fatal(err)
	}
	jobs := map[string][]string{}
	for _, sc := range cfg.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			for _, target := range st.Targets {
				jobs[sc.JobName] = append(jobs[sc.JobName], servicePort(t, target))
			}
		}
	}
	t.Run("jobs the rules and dashboards select", func(t *testing.T) {
		if !slices.Equal(jobs[def.VoiceJob], []string{"voice"}) {
			t.Errorf("job %q scrapes %v, want the voice service", def.VoiceJob, jobs[def.VoiceJob])
		}
		if !slices.Equal(jobs[def.SidecarJob], []string{"sidecar"}) {
			t.Errorf("job %q scrapes %v, want the sidecar service", def.SidecarJob, jobs[def.SidecarJob])
		}
	})
	t.Run("alertmanager target", func(t *testing.T) {
		var ams []string
		for _, a := range cfg.Alerting.Alertmanagers {
			for _, st := range a.StaticConfigs {
				for _, target := range st.Targets {
					ams = append(ams, servicePort(t, target))
				}
			}
		}
		if !slices.Equal(ams, []string{"alertmanager"}) {
			t.Errorf("alerting goes to %v, want the alertmanager service", ams)
		}
	})
	t.Run("rule files are the generated rules", func(t *testing.T) {
		if len(cfg.RuleFiles) == 0 {
			t.Fatal("no rule_files")
		}
		for _, rf := range cfg.RuleFiles {
			if src := mountSource(t, prom, rf); src != repoPath(t, "alerts/"+alerts.PathRules) {
				t.Errorf("rule file %s is mounted from %s, want %s", rf, src, "alerts/"+alerts.PathRules)
			}
		}
	})
	t.Run("promtool check config", func(t *testing.T) {
		promtool := requireTool(t, "promtool")
		// Rewrite the container paths to the mounted repository files.
		text := string(b)
		for _, rf := range cfg.RuleFiles {
			text = strings.ReplaceAll(text, rf, mountSource(t, prom, rf))
		}
		tmp := filepath.Join(t.TempDir(), "prometheus.yml")
		if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(promtool, "check", "config", tmp).CombinedOutput(); err != nil {
			t.Fatalf("promtool check config: %v\n%s", err, out)
		}
	})
}

// flagPrefixed returns the value of a --flag=value argument.
func flagPrefixed(t *testing.T, cmd []string, prefix string) string {
	t.Helper()
	for _, a := range cmd {
		if v, ok := strings.CutPrefix(a, prefix); ok {
			return v
		}
	}
	t.Fatalf("command %v has no %sVALUE", cmd, prefix)
	return ""
}

func TestComposeGrafana(t *testing.T) {
	p := loadCompose(t, nil, nil)
	g := p.Services["grafana"]
	prov := mountSource(t, g, "/etc/grafana/provisioning")
	if prov != repoPath(t, "dashboards/provisioning") {
		t.Errorf("provisioning mounted from %s", prov)
	}
	// The dashboards provider's path is a mount of the committed JSON.
	b, err := os.ReadFile(filepath.Join(prov, "dashboards", "voicewatch.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var provider struct {
		Providers []struct {
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	if err := yaml.Unmarshal(b, &provider); err != nil || len(provider.Providers) == 0 {
		t.Fatalf("dashboard provider: %v", err)
	}
	dir := mountSource(t, g, provider.Providers[0].Options.Path)
	if dashboards, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(dashboards) == 0 {
		t.Errorf("%s holds no dashboards", dir)
	}
	// The datasource URL is the prometheus service.
	b, err = os.ReadFile(filepath.Join(prov, "datasources", "prometheus.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var ds struct {
		Datasources []struct {
			URL string `yaml:"url"`
		} `yaml:"datasources"`
	}
	if err := yaml.Unmarshal(b, &ds); err != nil || len(ds.Datasources) == 0 {
		t.Fatalf("datasource: %v", err)
	}
	want := "http://prometheus:" + strconv.Itoa(int(imageDefaultPorts["prometheus"]))
	if _, ok := p.Services["prometheus"]; !ok || ds.Datasources[0].URL != want {
		t.Errorf("datasource URL %q, want %q (the prometheus service)", ds.Datasources[0].URL, want)
	}
}
