package doccheck

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/voicewatch/voicewatch/alerts"
	"github.com/voicewatch/voicewatch/exporter/logs"
	"github.com/voicewatch/voicewatch/exporter/sidecar"
	"github.com/voicewatch/voicewatch/probes/suite"
	"github.com/voicewatch/voicewatch/voice"
	"github.com/voicewatch/voicewatch/voice/providers"
)

// repoRoot is the repository, seen from this package's directory.
const repoRoot = "../.."

// env holds what the documents are checked against: the built binaries, a
// running demo (media core and sidecar), and the names the code declares.
type env struct {
	agent, probe string // binaries
	media, side  string // base URLs of the running media core and sidecar

	helpMu sync.Mutex
	help   map[string]helpResult // "agent alerts export" → its --help

	routeMu sync.Mutex
	routes  map[string]bool // "GET /path" → served

	metrics      map[string]bool   // metric and recording rule names
	alertNames   map[string]bool   // alerts, CloudWatch alarms and metric filters
	configFields map[string]string // Go field name of a config struct → YAML key
	idents       map[string]bool   // exported identifiers and Test/Benchmark/Fuzz functions
	literals     map[string]bool   // string literals and struct tag names of non-test code
	makeTargets  map[string]bool
	services     map[string]bool            // docker-compose.yaml services
	panels       map[string]map[string]bool // Grafana dashboard title → panel titles
	report       any                        // agent logs report --json of the bot corpus
	agentCmds    [][]string                 // every agent command path
}

type helpResult struct {
	text string
	ok   bool
}

var (
	envOnce sync.Once
	theEnv  *env
	envErr  error
)

// getEnv builds the binaries and starts the demo once per test binary.
func getEnv(t *testing.T) *env {
	t.Helper()
	envOnce.Do(func() { theEnv, envErr = newEnv() })
	if envErr != nil {
		t.Fatal(envErr)
	}
	return theEnv
}

var (
	demoDir  string
	demoStop func()
)

func TestMain(m *testing.M) {
	code := m.Run()
	if demoStop != nil {
		demoStop()
	}
	if demoDir != "" {
		os.RemoveAll(demoDir)
	}
	os.Exit(code)
}

func newEnv() (*env, error) {
	e := &env{help: map[string]helpResult{}, routes: map[string]bool{}}
	dir, err := os.MkdirTemp("", "doccheck-")
	if err != nil {
		return nil, err
	}
	demoDir = dir
	build := exec.Command("go", "build", "-o", dir+"/", "./cmd/agent", "./cmd/probe")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		return nil, errorf("go build: %v\n%s", err, out)
	}
	e.agent, e.probe = filepath.Join(dir, "agent"), filepath.Join(dir, "probe")
	if err := e.startDemo(dir); err != nil {
		return nil, err
	}
	steps := []func() error{e.loadMetrics, e.loadAlerts, e.loadConfigFields, e.loadGo, e.loadMake, e.loadCompose, e.loadPanels, e.loadReport, e.loadAgentCommands}
	for _, s := range steps {
		if err := s(); err != nil {
			return nil, err
		}
	}
	return e, nil
}

var demoURL = regexp.MustCompile(`(?m)^\s+(test page|sidecar)\s+(http://\S+)/`)

// startDemo runs `agent demo` on free loopback ports without synthetic
// calls and waits for both URLs.
func (e *env) startDemo(dir string) error {
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, e.agent, "demo", "--listen", "127.0.0.1:0", "--turn-listen", "127.0.0.1:0",
		"--sidecar-listen", "127.0.0.1:0", "--call-interval", "0", "--store-dir", filepath.Join(dir, "store"), "--log-level", "error")
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		cancel()
		return err
	}
	demoStop = func() { cancel(); _ = cmd.Wait() }
	found := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := demoURL.FindStringSubmatch(sc.Text()); m != nil {
				if m[1] == "test page" {
					e.media = m[2]
				} else {
					e.side = m[2]
				}
				if e.media != "" && e.side != "" {
					found <- nil
					break
				}
			}
		}
		if e.media == "" || e.side == "" {
			found <- errorf("agent demo printed no test page and sidecar URLs")
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case err := <-found:
		return err
	case <-time.After(2 * time.Minute):
		return errorf("agent demo did not print its URLs within 2 minutes")
	}
}

// served reports whether the media core or the sidecar routes method path:
// any answer but the router's own "404 page not found" counts (a handler's
// 404 for an unknown session id, a 400 for a missing parameter or a 405 all
// mean the route exists).
func (e *env) served(method, path string) bool {
	key := method + " " + path
	e.routeMu.Lock()
	defer e.routeMu.Unlock()
	if v, ok := e.routes[key]; ok {
		return v
	}
	ok := false
	for _, base := range []string{e.media, e.side} {
		for attempt := 0; attempt < 20; attempt++ {
			req, _ := http.NewRequest(method, base+path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				break
			}
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode == http.StatusTooManyRequests { // the guard's rate limit: wait and ask again
				time.Sleep(time.Second)
				continue
			}
			if resp.StatusCode != http.StatusNotFound || strings.TrimSpace(string(body)) != "404 page not found" {
				ok = true
			}
			break
		}
		if ok {
			break
		}
	}
	e.routes[key] = ok
	return ok
}

// helpOf runs the binary with args and --help, once per command.
func (e *env) helpOf(bin string, args ...string) helpResult {
	key := bin + " " + strings.Join(args, " ")
	e.helpMu.Lock()
	defer e.helpMu.Unlock()
	if h, ok := e.help[key]; ok {
		return h
	}
	path := e.agent
	if bin == "probe" {
		path = e.probe
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, append(append([]string{}, args...), "--help")...).CombinedOutput()
	h := helpResult{text: string(out), ok: err == nil}
	e.help[key] = h
	return h
}

var cmdLine = regexp.MustCompile(`^  ([a-z][a-z-]*)\b`)

// loadAgentCommands lists every agent command path from the help texts.
func (e *env) loadAgentCommands() error {
	top := e.helpOf("agent")
	for _, name := range helpCommands(top.text) {
		e.agentCmds = append(e.agentCmds, []string{name})
		for _, sub := range helpCommands(e.helpOf("agent", name).text) {
			e.agentCmds = append(e.agentCmds, []string{name, sub})
		}
	}
	if len(e.agentCmds) < 6 {
		return errorf("agent --help lists only %v", e.agentCmds)
	}
	return nil
}

// helpCommands returns the command names of a help text's "Commands:" list.
func helpCommands(help string) []string {
	var out []string
	_, list, ok := strings.Cut(help, "Commands:\n")
	if !ok {
		return nil
	}
	for _, l := range strings.Split(list, "\n") {
		if strings.TrimSpace(l) == "" {
			break
		}
		if m := cmdLine.FindStringSubmatch(l); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

// stringConsts returns the string constants named prefix* in a Go file.
func stringConsts(file, prefix string) (map[string]bool, error) {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		for i, id := range vs.Names {
			if strings.HasPrefix(id.Name, prefix) && i < len(vs.Values) {
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					out[s] = true
				}
			}
		}
		return true
	})
	return out, nil
}

func (e *env) loadMetrics() error {
	e.metrics = map[string]bool{"up": true}
	for _, f := range []string{"voice/voicemetrics/voicemetrics.go", "probes/probemetrics/probemetrics.go", "exporter/sidecarmetrics/sidecarmetrics.go"} {
		names, err := stringConsts(filepath.Join(repoRoot, f), "Metric")
		if err != nil {
			return err
		}
		for n := range names {
			e.metrics[n] = true
		}
	}
	if len(e.metrics) < 30 {
		return errorf("found only %d metric constants", len(e.metrics))
	}
	// Value captures of the shipped rule sets become metrics too.
	for _, name := range logs.ShippedRuleSets() {
		rs, err := logs.LoadShippedRuleSet(name)
		if err != nil {
			return err
		}
		for _, r := range rs.Rules {
			for _, v := range r.Values {
				e.metrics[v.Metric] = true
			}
		}
	}
	cfg, err := alerts.New(alerts.Config{})
	if err != nil {
		return err
	}
	for _, g := range cfg.PrometheusRules().Groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				e.metrics[r.Record] = true
			}
		}
	}
	return nil
}

func (e *env) loadAlerts() error {
	cfg, err := alerts.New(alerts.Config{})
	if err != nil {
		return err
	}
	e.alertNames = map[string]bool{}
	for _, g := range cfg.PrometheusRules().Groups {
		for _, r := range g.Rules {
			if r.Alert != "" {
				e.alertNames[r.Alert] = true
			}
		}
	}
	defs, err := cfg.CloudWatchDefinitions()
	if err != nil {
		return err
	}
	prefix := cfg.CloudWatch.AlarmPrefix
	for _, a := range defs.Alarms {
		e.alertNames[a.Name] = true
		e.alertNames[strings.TrimPrefix(a.Name, prefix)] = true
	}
	for _, f := range defs.MetricFilters {
		e.alertNames[f.Name] = true
		e.alertNames[f.MetricName] = true
	}
	return nil
}

// configTypes are the config structs whose Go field names a document must
// not use in place of their YAML keys, with the key prefix of each.
var configTypes = map[string]any{
	"":           voice.Config{},
	"providers.": providers.Config{},
	"sidecar:":   sidecar.Config{},
	"alerts:":    alerts.Config{},
	"suite:":     suite.File{},
}

func (e *env) loadConfigFields() error {
	e.configFields = map[string]string{}
	for prefix, v := range configTypes {
		prefix = prefix[strings.Index(prefix, ":")+1:]
		walkFields(reflect.TypeOf(v), prefix, e.configFields, map[reflect.Type]bool{})
	}
	return nil
}

func walkFields(t reflect.Type, prefix string, out map[string]string, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	defer delete(seen, t)
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" || name == "" {
			continue
		}
		if _, dup := out[f.Name]; !dup && strings.ToLower(f.Name) != name {
			out[f.Name] = prefix + name
		}
		walkFields(f.Type, prefix+name+".", out, seen)
	}
}

var tagName = regexp.MustCompile(`(?:yaml|json):"([^",]+)`)

// loadGo collects exported identifiers, test functions, string literals
// and struct tag names from the repository's Go files.
func (e *env) loadGo() error {
	e.idents, e.literals = map[string]bool{}, map[string]bool{}
	return filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != repoRoot) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		isTest := strings.HasSuffix(path, "_test.go")
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if !isTest || strings.HasPrefix(n.Name.Name, "Test") || strings.HasPrefix(n.Name.Name, "Benchmark") || strings.HasPrefix(n.Name.Name, "Fuzz") {
					e.idents[n.Name.Name] = true
				}
			case *ast.TypeSpec:
				if !isTest {
					e.idents[n.Name.Name] = true
				}
			case *ast.ValueSpec:
				if !isTest {
					for _, id := range n.Names {
						e.idents[id.Name] = true
					}
				}
			case *ast.Field:
				if !isTest {
					for _, id := range n.Names {
						e.idents[id.Name] = true
					}
					if n.Tag != nil {
						for _, m := range tagName.FindAllStringSubmatch(n.Tag.Value, -1) {
							e.literals[m[1]] = true
						}
					}
				}
			case *ast.BasicLit:
				if !isTest && n.Kind == token.STRING {
					if s, err := strconv.Unquote(n.Value); err == nil && len(s) < 200 {
						e.literals[s] = true
					}
				}
			}
			return true
		})
		return nil
	})
}

var makeTarget = regexp.MustCompile(`(?m)^([a-z][a-z0-9-]*):`)

func (e *env) loadMake() error {
	b, err := os.ReadFile(filepath.Join(repoRoot, "Makefile"))
	if err != nil {
		return err
	}
	e.makeTargets = map[string]bool{}
	for _, m := range makeTarget.FindAllStringSubmatch(string(b), -1) {
		e.makeTargets[m[1]] = true
	}
	return nil
}

func (e *env) loadCompose() error {
	b, err := os.ReadFile(filepath.Join(repoRoot, "docker-compose.yaml"))
	if err != nil {
		return err
	}
	var c struct {
		Services map[string]any `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &c); err != nil {
		return err
	}
	e.services = map[string]bool{}
	for s := range c.Services {
		e.services[s] = true
	}
	return nil
}

func (e *env) loadPanels() error {
	e.panels = map[string]map[string]bool{}
	files, _ := filepath.Glob(filepath.Join(repoRoot, "dashboards/grafana/*.json"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var d struct {
			Title  string  `json:"title"`
			Panels []panel `json:"panels"`
		}
		if err := json.Unmarshal(b, &d); err != nil {
			return err
		}
		titles := map[string]bool{}
		var walk func([]panel)
		walk = func(ps []panel) {
			for _, p := range ps {
				titles[p.Title] = true
				walk(p.Panels)
			}
		}
		walk(d.Panels)
		e.panels[d.Title] = titles
	}
	if len(e.panels) == 0 {
		return errorf("no Grafana dashboards found")
	}
	return nil
}

type panel struct {
	Title  string  `json:"title"`
	Panels []panel `json:"panels"`
}

func (e *env) loadReport() error {
	out, err := exec.Command(e.agent, "logs", "report", "--json", filepath.Join(repoRoot, "exporter/logs/testdata/corpus/voicebot.log")).Output()
	if err != nil {
		return errorf("agent logs report --json: %v", err)
	}
	return json.Unmarshal(out, &e.report)
}

// reportHas reports whether the logs report JSON has the dotted path.
func (e *env) reportHas(path string) bool {
	v := e.report
	for _, seg := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		if v, ok = m[seg]; !ok {
			return false
		}
	}
	return true
}

func errorf(format string, a ...any) error { return fmt.Errorf(format, a...) }
