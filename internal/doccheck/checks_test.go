package doccheck

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/voicewatch/voicewatch/alerts"
	"github.com/voicewatch/voicewatch/exporter/sidecar"
	"github.com/voicewatch/voicewatch/internal/httpguard"
	"github.com/voicewatch/voicewatch/internal/promqlnames"
	"github.com/voicewatch/voicewatch/probes/suite"
	"github.com/voicewatch/voicewatch/voice"
	"github.com/voicewatch/voicewatch/voice/providers"
)

var (
	unknownKey  = regexp.MustCompile(`not found in type|unknown (top-level )?key`)
	dottedKey   = regexp.MustCompile(`^[a-z][a-z0-9_]*(\[\])?(\.[a-z0-9_]+(\[\])?)+$`)
	camel       = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*[a-z0-9][A-Za-z0-9]*(/[A-Za-z0-9_/-]+)?$`)
	metricLike  = regexp.MustCompile(`^(voice|probe|voicewatch)_[a-z0-9_]*[a-z0-9]\*?(\{[^}]*\})?$`)
	snake       = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)+$`)
	methodPath  = regexp.MustCompile(`^(GET|POST|PUT|PATCH|DELETE|OPTIONS|HEAD) (/\S*)$`)
	httpPath    = regexp.MustCompile(`^/[A-Za-z0-9_.{}/?=&$-]*$`)
	flagOnly    = regexp.MustCompile(`^--?[a-z][a-z0-9-]*(=\S*)?$`)
	repoPath    = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.*{},/-]*$`)
	urlRe       = regexp.MustCompile(`(?:https?://([A-Za-z0-9.:\[\]-]+)|\b(127\.0\.0\.1:\d+|localhost:\d+))(/[^\s'"` + "`" + `)<>]*)?`)
	promQL      = regexp.MustCompile(`\b(rate|increase|sum|histogram_quantile|absent|avg|max|min)\s*\(|==|[^=!]=~|>\s*\d`)
	panelRe     = regexp.MustCompile(`\*\*([^*›]+?) › ([^*]+?)\*\*`)
	fileExt     = regexp.MustCompile(`\.(ya?ml|json|md|go|log|sh|txt|conf|xml|tmpl|html|js|pem|cgi|php)$`)
	qualifiedGo = regexp.MustCompile(`^([a-z0-9_/]+)\.([A-Z][A-Za-z0-9]*)(\.[A-Za-z0-9]+)?(\(\))?$`)
)

// fsRoots are first path segments of file paths (not HTTP routes) that
// documents mention: in containers, on hosts, Secrets Manager and log
// group names.
var fsRoots = map[string]bool{"etc": true, "proc": true, "var": true, "run": true, "tmp": true, "usr": true,
	"ecs": true, "agent": true, "home": true, "dev": true, "sys": true, "opt": true,
	"voicewatch": true, // SSM parameter names (/voicewatch/whip-token)
}

// foreign are names of other tools the documents mention (coturn, the OTel
// Collector, Prometheus, Linux, go test): not voicewatch's to check.
var foreign = map[string]bool{
	"turnutils_uclient": true, "turnutils_peer": true, "--static-auth-secret": true, // coturn
	"OTelLib": true, "output_destination": true, "dimension_rollup_option": true, // OTel Collector awsemf exporter
	"scrape_interval": true, "basic_auth": true, // Prometheus
	"VmRSS":       true, // /proc/PID/status
	"-cpuprofile": true, // go test
}

// ownHosts are hosts whose URLs in the documents point at voicewatch's own
// media core or sidecar.
func ownHost(host string) bool {
	h, port, _ := strings.Cut(host, ":")
	switch {
	case port == "8080" || port == "9464":
		return true
	case h == "voice" || h == "sidecar":
		return true
	case strings.HasSuffix(h, ".example.com"):
		first, _, _ := strings.Cut(h, ".")
		return first == "voice" || first == "agent" || first == "staging"
	}
	return false
}

// problemsOf checks one mention of a document at path (relative to the
// repository) and returns what is wrong, each a sentence.
func (e *env) problemsOf(doc string, m Mention, anchors map[string]map[string]bool) []string {
	switch m.Kind {
	case Link:
		return e.checkLink(doc, m.Text, anchors)
	case Block:
		switch m.Lang {
		case "yaml", "yml":
			return checkYAMLBlock(m.Text)
		case "promql":
			return e.checkPromQL(m.Text)
		}
		return nil
	case CodeLine:
		switch m.Lang {
		case "", "sh", "bash", "shell", "console":
			return e.checkShell(m.Text)
		case "promql":
			return nil // checked as a whole Block
		}
		return e.checkURLs(m.Text)
	}
	return e.checkSpan(doc, m)
}

func (e *env) checkSpan(doc string, m Mention) []string {
	s := strings.TrimSpace(m.Text)
	if k, _, _ := strings.Cut(s, ":"); foreign[s] || foreign[k] {
		return nil
	}
	if p := e.checkURLs(s); p != nil {
		return p
	}
	if cmds := Commands(s); len(cmds) > 0 && isOurCommand(cmds[0]) {
		return e.checkShell(s)
	}
	if mp := methodPath.FindStringSubmatch(s); mp != nil {
		return e.checkRoute(mp[1], mp[2])
	}
	if strings.HasPrefix(s, "/") && !strings.Contains(s, " ") {
		return e.checkRoute("GET", s)
	}
	if m.KeyColumn {
		return e.checkKeyColumn(s)
	}
	if k, _, ok := strings.Cut(s, ": "); ok && snake.MatchString(k) || strings.HasSuffix(s, ":") && snake.MatchString(strings.TrimSuffix(s, ":")) {
		return e.checkWord(strings.TrimSuffix(k, ":"))
	}
	switch {
	case metricLike.MatchString(s):
		return e.checkMetric(s)
	case dottedKey.MatchString(s):
		return e.checkDotted(s)
	case camel.MatchString(s) && strings.ContainsAny(s[1:], "ABCDEFGHIJKLMNOPQRSTUVWXYZ"):
		return e.checkCamel(s)
	case flagOnly.MatchString(s):
		return e.checkFlag(s)
	case qualifiedGo.MatchString(s) && inRepo(s):
		return e.checkQualified(s)
	case repoPath.MatchString(s) && inRepo(s):
		return e.checkRepoPath(doc, s)
	case snake.MatchString(s):
		return e.checkWord(s)
	case promQL.MatchString(s) && strings.ContainsAny(s, "_"):
		return e.checkPromQL(s)
	}
	return nil
}

// isOurCommand reports whether words run a command the documents must get
// right: agent, probe, make, docker compose, go run/test.
func isOurCommand(w []string) bool {
	switch w[0] {
	case "agent", "probe", "/agent", "/probe", "./agent", "./probe", "bin/agent", "bin/probe", "./bin/agent", "./bin/probe", "make":
		return true
	case "docker", "docker-compose", "amtool":
		return true
	case "go":
		return len(w) > 1 && (w[1] == "run" || w[1] == "test")
	}
	return false
}

func base(cmd string) string { return cmd[strings.LastIndex(cmd, "/")+1:] }

// checkShell checks every command of a shell line and its URLs.
func (e *env) checkShell(line string) []string {
	out := e.checkURLs(line)
	for _, w := range Commands(line) {
		// `go run ./cmd/agent ARGS` is `agent ARGS`.
		if len(w) > 2 && w[0] == "go" && w[1] == "run" && (w[2] == "./cmd/agent" || w[2] == "./cmd/probe") {
			w = append([]string{base(w[2])}, w[3:]...)
		}
		if !isOurCommand(w) {
			continue
		}
		switch base(w[0]) {
		case "agent":
			out = append(out, e.checkAgent(w[1:])...)
		case "probe":
			out = append(out, e.checkProbe(w[1:])...)
		case "make":
			for _, a := range w[1:] {
				if !strings.Contains(a, "=") && !strings.HasPrefix(a, "-") && !e.makeTargets[a] {
					out = append(out, fmt.Sprintf("make %s: the Makefile has no target %q", a, a))
				}
			}
		case "docker", "docker-compose":
			out = append(out, e.checkCompose(w)...)
		case "amtool":
			out = append(out, e.checkAmtool(w[1:])...)
		case "go":
			for _, a := range w[1:] {
				if strings.HasPrefix(a, "./") {
					p := strings.TrimSuffix(strings.TrimSuffix(a, "/..."), "/")
					if _, err := os.Stat(filepath.Join(repoRoot, p)); err != nil {
						out = append(out, fmt.Sprintf("%q: no such package directory %s", strings.Join(w, " "), p))
					}
				}
			}
		}
	}
	return out
}

// checkAgent runs `agent CMD [SUB] --help` and checks every flag is in it.
func (e *env) checkAgent(args []string) []string {
	var path []string
	var flags []string
	for _, a := range args {
		a = strings.Trim(a, "[]")
		switch {
		case strings.HasPrefix(a, "-") && a != "-" && a != "--":
			flags = append(flags, a)
		case len(path) == 0 && len(flags) == 0:
			path = append(path, a)
		case len(path) == 1 && len(flags) == 0 && hasSub(e.helpOf("agent", path[0]).text):
			path = append(path, a)
		}
	}
	if len(path) == 0 {
		return nil
	}
	h := e.helpOf("agent", path...)
	cmd := "agent " + strings.Join(path, " ")
	if !h.ok {
		return []string{fmt.Sprintf("%s: not a command (agent %s --help failed: %s)", cmd, strings.Join(path, " "), firstLine(h.text))}
	}
	return checkFlags(cmd, h.text, flags)
}

func hasSub(help string) bool { return strings.Contains(help, "Commands:") }

// checkProbe checks `probe KIND ...` against probe --help.
func (e *env) checkProbe(args []string) []string {
	h := e.helpOf("probe")
	var flags []string
	for i, a := range args {
		a = strings.Trim(a, "[]")
		if strings.HasPrefix(a, "-") && a != "-" {
			flags = append(flags, a)
		} else if i == 0 && !regexp.MustCompile(`(?m)^\s+probe\s+`+regexp.QuoteMeta(a)+`\b`).MatchString(h.text) {
			return []string{fmt.Sprintf("probe %s: probe --help lists no such command", a)}
		}
	}
	return checkFlags("probe", h.text, flags)
}

// checkFlags reports every flag that the help text does not list.
func checkFlags(cmd, help string, flags []string) []string {
	var out []string
	for _, f := range flags {
		name, _, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
		if name == "" || name == "h" || name == "help" {
			continue
		}
		if !regexp.MustCompile(`(^|[\s\[|(,])--?` + regexp.QuoteMeta(name) + `([\s=\],|)]|$)`).MatchString(help) {
			out = append(out, fmt.Sprintf("%s has no flag --%s (see %s --help)", cmd, name, cmd))
		}
	}
	return out
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// checkFlag checks a flag named on its own: some agent or probe command
// must list it.
func (e *env) checkFlag(f string) []string {
	if len(checkFlags("probe", e.helpOf("probe").text, []string{f})) == 0 {
		return nil
	}
	for _, p := range e.agentCmds {
		if len(checkFlags("agent", e.helpOf("agent", p...).text, []string{f})) == 0 {
			return nil
		}
	}
	return []string{fmt.Sprintf("%s: no agent or probe command has this flag", f)}
}

// checkCompose checks the service names of a docker compose command.
func (e *env) checkCompose(w []string) []string {
	if w[0] == "docker" {
		if len(w) < 2 || w[1] != "compose" {
			return nil
		}
		w = w[1:]
	}
	var sub string
	var out []string
	valueFlags := map[string]bool{"--profile": true, "-f": true, "--file": true, "--tail": true, "--since": true, "-p": true, "--project-name": true, "--timeout": true, "-t": true, "--scale": true, "-s": true, "--signal": true}
	for i := 1; i < len(w); i++ {
		a := w[i]
		switch {
		case valueFlags[a]:
			i++
		case strings.HasPrefix(a, "-"):
		case sub == "":
			sub = a
		default:
			switch sub {
			case "restart", "start", "stop", "logs", "ps", "up", "kill", "rm", "pull", "exec", "create", "top":
				if !e.services[a] {
					out = append(out, fmt.Sprintf("docker compose %s %s: docker-compose.yaml has no service %q", sub, a, a))
				}
				if sub == "exec" {
					return out
				}
			}
		}
	}
	return out
}

// checkURLs checks the path of every URL of voicewatch's own listeners.
func (e *env) checkURLs(s string) []string {
	var out []string
	for _, m := range urlRe.FindAllStringSubmatch(s, -1) {
		host := m[1] + m[2]
		if !ownHost(host) || m[3] == "" {
			continue
		}
		u, err := url.Parse("http://h" + m[3])
		if err != nil {
			continue
		}
		out = append(out, e.checkRoute("GET", u.Path)...)
	}
	return out
}

var placeholder = regexp.MustCompile(`\{[^}]*\}`)

// checkRoute checks that the media core or the sidecar routes the path (or
// that it is a file path, or a scanner path the guard classifies).
func (e *env) checkRoute(method, p string) []string {
	p, _, _ = strings.Cut(p, "?")
	p, _, _ = strings.Cut(p, "#")
	first, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	if fsRoots[first] || fileExt.MatchString(p) && httpguard.Classify(method, p) == httpguard.PatternNone && strings.Count(p, "/") > 1 {
		return nil
	}
	if httpguard.Classify(method, p) != httpguard.PatternNone {
		return nil // a scanner example: the guard rejects it, as the document says
	}
	if e.served(method, placeholder.ReplaceAllString(p, "x")) {
		return nil
	}
	return []string{fmt.Sprintf("%s %s: neither the media core nor the sidecar serves this path (404)", method, p)}
}

// checkKeyColumn checks a span of a config-key table: a key (dotted, or a
// top-level one) that some config loader accepts.
func (e *env) checkKeyColumn(s string) []string {
	if len(acceptedBy(s)) > 0 {
		return nil
	}
	return []string{fmt.Sprintf("%s: no config loader accepts this key (voice.yaml, sidecar.yaml, probe suites and the alerts config reject it)", s)}
}

// checkMetric checks a metric name (with optional {labels} or a trailing
// * for a family prefix).
func (e *env) checkMetric(s string) []string {
	name, _, _ := strings.Cut(s, "{")
	if strings.HasSuffix(name, "*") {
		prefix := strings.TrimSuffix(name, "*")
		for m := range e.metrics {
			if strings.HasPrefix(m, prefix) {
				return nil
			}
		}
		return []string{fmt.Sprintf("%s: no metric starts with %s", s, prefix)}
	}
	if e.metrics[name] {
		return nil
	}
	for _, suf := range []string{"_bucket", "_sum", "_count"} {
		if strings.HasSuffix(name, suf) && e.metrics[strings.TrimSuffix(name, suf)] {
			return nil
		}
	}
	if name == s && e.literals[name] { // voice_job, voice_settings: a config or wire field
		return nil
	}
	return []string{fmt.Sprintf("%s: not a metric (no constant in voice/voicemetrics, probes/probemetrics or exporter/sidecarmetrics, nor a recording rule)", s)}
}

// checkWord checks a snake_case word: a config key, label value, reason or
// wire field must exist as a string or struct tag in the code.
func (e *env) checkWord(s string) []string {
	if e.literals[s] || e.metrics[s] {
		return nil
	}
	// max_<phase> is a probe assertion on a phase the probers report.
	if phase, ok := strings.CutPrefix(s, "max_"); ok && e.literals[phase] {
		return nil
	}
	return []string{fmt.Sprintf("%s: names nothing in the code (no config key, label value or field of that name)", s)}
}

// checkDotted checks a dotted lower-case name: a config key of voice.yaml,
// sidecar.yaml, a probe suite or the alerts config (decoded by the real
// loader), a log event, a file name or a field of the logs report JSON.
func (e *env) checkDotted(s string) []string {
	if fileExt.MatchString(s) || e.literals[s] || e.reportHas(s) || httpguard.Classify("GET", "/"+s) != httpguard.PatternNone {
		return nil
	}
	if len(acceptedBy(s)) > 0 {
		return nil
	}
	return []string{fmt.Sprintf("%s: no config loader accepts this key (voice.yaml, sidecar.yaml, probe suites and the alerts config reject it), and it is no log event", s)}
}

// checkCamel checks a CamelCase name: never a config struct's Go field
// (write the YAML key), else an alert, alarm, or a name the code declares.
func (e *env) checkCamel(s string) []string {
	name, _, _ := strings.Cut(s, "/") // BenchmarkX/sub
	if e.alertNames[name] {
		return nil
	}
	if key, ok := e.configFields[name]; ok {
		return []string{fmt.Sprintf("%s is a Go field name: write the YAML key `%s` that users edit", s, key)}
	}
	if e.idents[name] || e.literals[name] {
		return nil
	}
	return []string{fmt.Sprintf("%s: no alert, CloudWatch alarm, metric filter or Go identifier has this name", s)}
}

// inRepo reports whether a relative path starts with a top-level
// directory or file of the repository (other paths name Go packages of
// other modules, MIME types, CIDRs or Docker images).
func inRepo(p string) bool {
	first, _, _ := strings.Cut(p, "/")
	first, _, _ = strings.Cut(first, ".")
	if first == "" {
		return false
	}
	_, err := os.Stat(filepath.Join(repoRoot, first))
	return err == nil
}

// checkQualified checks pkg.Name: the package directory exists and
// declares Name.
func (e *env) checkQualified(s string) []string {
	m := qualifiedGo.FindStringSubmatch(s)
	if !e.idents[m[2]] {
		return []string{fmt.Sprintf("%s: no Go declaration named %s", s, m[2])}
	}
	return nil
}

// checkRepoPath checks a relative file or directory path (globs allowed):
// it exists relative to the repository root or the document.
func (e *env) checkRepoPath(doc, s string) []string {
	s = strings.TrimSuffix(s, "/")
	for _, dir := range []string{repoRoot, filepath.Join(repoRoot, filepath.Dir(doc))} {
		pattern := filepath.Join(dir, s)
		if strings.Contains(s, "{") {
			pattern = placeholder.ReplaceAllString(pattern, "*")
		}
		if matches, _ := filepath.Glob(pattern); len(matches) > 0 {
			return nil
		}
	}
	return []string{fmt.Sprintf("%s: no such file or directory in the repository", s)}
}

// checkLink checks a relative link: the file exists, and a #fragment into
// a Markdown file is one of its heading anchors.
func (e *env) checkLink(doc, target string, anchors map[string]map[string]bool) []string {
	if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
		return nil
	}
	file, frag, _ := strings.Cut(target, "#")
	rel := doc
	if file != "" {
		rel = filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(doc), file)))
		if _, err := os.Stat(filepath.Join(repoRoot, rel)); err != nil {
			return []string{fmt.Sprintf("link to %s: no such file", target)}
		}
	}
	if frag != "" && strings.HasSuffix(rel, ".md") {
		a, ok := anchors[rel]
		if !ok {
			b, err := os.ReadFile(filepath.Join(repoRoot, rel))
			if err != nil {
				return []string{err.Error()}
			}
			a = Parse(string(b)).Anchors
			anchors[rel] = a
		}
		if !a[frag] {
			return []string{fmt.Sprintf("link to %s: %s has no heading with anchor #%s", target, rel, frag)}
		}
	}
	return nil
}

// checkPanels checks every "**Dashboard › Panel**" of a document against
// the generated Grafana dashboards.
func (e *env) checkPanels(text string) []string {
	var out []string
	for _, m := range panelRe.FindAllStringSubmatch(text, -1) {
		d, ok := e.panels[m[1]]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("dashboard %q: no Grafana dashboard has this title", m[1]))
		case !d[m[2]]:
			out = append(out, fmt.Sprintf("dashboard %q has no panel %q", m[1], m[2]))
		}
	}
	return out
}

// acceptedBy returns the loaders that accept a dotted key (decoding a
// document that sets it to null), e.g. ["voice.yaml"].
func acceptedBy(key string) []string {
	doc, err := keyYAML(key)
	if err != nil {
		return nil
	}
	unknown := func(err error) bool {
		return err != nil && unknownKey.MatchString(err.Error())
	}
	var out []string
	if c, err := voice.DecodeConfig(doc); !unknown(err) {
		if _, perr := providers.Decode(c.Providers); err == nil && !unknown(perr) {
			out = append(out, "voice.yaml")
		}
	}
	if _, err := sidecar.ParseConfig(bytes.NewReader(doc), sidecar.LoadOptions{Getenv: func(string) (string, bool) { return "x", true }}); !unknown(err) {
		out = append(out, "sidecar.yaml")
	}
	if _, err := alerts.LoadConfig(bytes.NewReader(doc)); !unknown(err) {
		out = append(out, "alerts config")
	}
	if _, err := suite.Load(bytes.NewReader(doc), suite.Options{Getenv: func(string) (string, bool) { return "x", true }}); !unknown(err) {
		out = append(out, "probe suite")
	}
	return out
}

// keyYAML returns a YAML document that sets the dotted key to null:
// "a.b[].c" → {a: {b: [{c: null}]}}.
func keyYAML(key string) ([]byte, error) {
	segs := strings.Split(key, ".")
	var v any
	for i := len(segs) - 1; i >= 0; i-- {
		seg := segs[i]
		list := strings.HasSuffix(seg, "[]")
		seg = strings.TrimSuffix(seg, "[]")
		if list {
			if v == nil {
				v = []any{}
			} else {
				v = []any{v}
			}
		}
		v = map[string]any{seg: v}
	}
	return yaml.Marshal(v)
}

var envRef = regexp.MustCompile(`\$\{[A-Za-z_][A-Za-z0-9_]*\}`)

// yamlLoaders are the config files a YAML example may be a part of: each
// loader and the top-level keys it accepts.
var yamlLoaders = []struct {
	name string
	top  any
	load func([]byte) error
}{
	{"voice.yaml", voice.Config{}, func(b []byte) error {
		c, err := voice.DecodeConfig(b)
		if err != nil {
			return err
		}
		_, err = providers.Decode(c.Providers)
		return err
	}},
	{"sidecar.yaml", sidecar.Config{}, func(b []byte) error {
		_, err := sidecar.ParseConfig(bytes.NewReader(b), sidecar.LoadOptions{Getenv: func(string) (string, bool) { return "x", true }})
		return err
	}},
	{"the alerts config", alerts.Config{}, func(b []byte) error { _, err := alerts.LoadConfig(bytes.NewReader(b)); return err }},
	{"a probe suite", suite.File{}, func(b []byte) error {
		_, err := suite.Load(bytes.NewReader(b), suite.Options{Getenv: func(string) (string, bool) { return "x", true }})
		return err
	}},
}

// topKeys returns the YAML keys of a config struct's fields.
func topKeys(v any) map[string]bool {
	out := map[string]bool{}
	t := reflect.TypeOf(v)
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); name != "" && name != "-" {
			out[name] = true
		}
	}
	return out
}

// checkYAMLBlock decodes a YAML example with the loader of the config file
// it belongs to (the one whose top-level keys it uses) and reports keys the
// loader rejects. Examples of other files (compose, workflows, Prometheus)
// use keys no loader has at the top and are skipped.
func checkYAMLBlock(text string) []string {
	b := []byte(envRef.ReplaceAllString(text, "x"))
	var doc map[string]any
	if yaml.Unmarshal(b, &doc) != nil || len(doc) == 0 {
		return nil
	}
	var tried []string
	for _, l := range yamlLoaders {
		keys := topKeys(l.top)
		if l.name == "a probe suite" {
			keys = map[string]bool{"target": true, "defaults": true, "probes": true}
		}
		all := true
		for k := range doc {
			all = all && keys[k]
		}
		if !all {
			continue
		}
		err := l.load(b)
		if err == nil || !unknownKey.MatchString(err.Error()) {
			return nil
		}
		tried = append(tried, fmt.Sprintf("%s: %s", l.name, strings.Join(strings.Fields(err.Error()), " ")))
	}
	if len(tried) == 0 {
		return nil
	}
	return []string{"this YAML example does not load: " + strings.Join(tried, "; ")}
}

// checkPromQL parses a PromQL expression with Prometheus' parser and
// checks every metric it selects.
func (e *env) checkPromQL(expr string) []string {
	names, err := promqlnames.MetricNames(expr)
	if err != nil {
		return []string{fmt.Sprintf("not valid PromQL: %v", err)}
	}
	var out []string
	for _, name := range names {
		out = append(out, e.checkMetric(name)...)
	}
	return out
}

// checkAmtool runs `amtool SUB [SUB] --help` (Alertmanager's CLI, as the
// runbooks use it) and checks every flag of the command is in it.
func (e *env) checkAmtool(args []string) []string {
	bin, err := exec.LookPath("amtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			return []string{"amtool is required to check amtool commands (CI=true): make test-deps installs it"}
		}
		return nil
	}
	var path, flags []string
	for _, a := range args {
		switch {
		case strings.HasPrefix(a, "-"):
			flags = append(flags, a)
		case len(path) < 2 && len(flags) == 0 && !strings.ContainsAny(a, "=~"):
			path = append(path, a)
		}
	}
	out, err := exec.Command(bin, append(path, "--help")...).CombinedOutput()
	cmd := "amtool " + strings.Join(path, " ")
	if err != nil {
		return []string{fmt.Sprintf("%s: not an amtool command: %s", cmd, firstLine(string(out)))}
	}
	return checkFlags(cmd, string(out), flags)
}
