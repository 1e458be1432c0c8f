package alerts

import (
	"bytes"
	"embed"
	"fmt"
	"path"
	"sort"
	"strings"
	"text/template"
)

// PathRunbooks is the directory of the rendered runbooks, relative to the
// export directory (the committed copies live in docs/runbooks/).
const PathRunbooks = "runbooks"

// RunbookAWS is the runbook page of the CloudWatch infrastructure alarms
// that have no Prometheus twin (one section per alarm group).
const RunbookAWS = runbookAWS

//go:embed runbooks/*.tmpl
var runbookTemplates embed.FS

// runbookPage is what one runbook template renders.
type runbookPage struct {
	Config
	// Alert is the alert's name ("" for the index and the AWS page).
	Alert string
	// Rules are the alert's Prometheus rules (one per severity/condition).
	Rules []Rule
	// Providers are the providers whose support the escalation lists.
	Providers []string
	// Alerts lists every alert for the index: name, severities, file.
	Alerts []runbookIndexEntry
}

type runbookIndexEntry struct {
	Alert, Severities, File string
}

var runbookFuncs = template.FuncMap{
	"indent": func(n int, s string) string {
		return strings.ReplaceAll(s, "\n", "\n"+strings.Repeat(" ", n))
	},
	"join": strings.Join,
	"trimSuffix": func(suffix, s string) string {
		return strings.TrimSuffix(s, suffix)
	},
	"runbook": Runbook,
	"after": func(d fmt.Stringer) string {
		if d.String() == "0s" {
			return "at once"
		}
		return "after " + d.String()
	},
	"dur": func(d fmt.Stringer) string { return d.String() },
	// providers returns a copy of the page that lists these providers'
	// support in its escalation section.
	"providers": func(p runbookPage, names ...string) runbookPage {
		p.Providers = names
		return p
	},
	"has": func(list []string, s string) bool {
		for _, v := range list {
			if v == s {
				return true
			}
		}
		return false
	},
	"mul100": func(f float64) float64 { return f * 100 },
	// pages reports whether any of the rules pages (severity page).
	"pages": func(rules []Rule) bool {
		for _, r := range rules {
			if r.Labels[LabelSeverity] == SeverityPage {
				return true
			}
		}
		return false
	},
}

// RunbookFiles renders every runbook (one per alert, the AWS
// infrastructure page and the index), keyed by the path relative to the
// export directory ("runbooks/probe-stun-failing.md").
func (c Config) RunbookFiles() (map[string][]byte, error) {
	tmpl, err := template.New("runbooks").Funcs(runbookFuncs).ParseFS(runbookTemplates, "runbooks/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("runbook templates: %w", err)
	}
	byAlert := map[string][]Rule{}
	var names []string
	for _, g := range c.PrometheusRules().Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			if _, ok := byAlert[r.Alert]; !ok {
				names = append(names, r.Alert)
			}
			byAlert[r.Alert] = append(byAlert[r.Alert], r)
		}
	}
	sort.Strings(names)
	out := map[string][]byte{}
	render := func(name string, page runbookPage) error {
		var b bytes.Buffer
		if err := tmpl.ExecuteTemplate(&b, name+".tmpl", page); err != nil {
			return fmt.Errorf("runbook %s: %w", name, err)
		}
		out[path.Join(PathRunbooks, name)] = tidy(b.Bytes())
		return nil
	}
	var index []runbookIndexEntry
	for _, a := range names {
		file := Runbook(a)
		if tmpl.Lookup(file+".tmpl") == nil {
			return nil, fmt.Errorf("%w: alert %s has no runbook template runbooks/%s.tmpl", ErrInvalidConfig, a, file)
		}
		if err := render(file, runbookPage{Config: c, Alert: a, Rules: byAlert[a]}); err != nil {
			return nil, err
		}
		var sev []string
		for _, r := range byAlert[a] {
			if s := r.Labels[LabelSeverity]; !contains(sev, s) {
				sev = append(sev, s)
			}
		}
		index = append(index, runbookIndexEntry{Alert: a, Severities: strings.Join(sev, ", "), File: file})
	}
	if err := render(runbookAWS, runbookPage{Config: c}); err != nil {
		return nil, err
	}
	if err := render("README.md", runbookPage{Config: c, Alerts: index}); err != nil {
		return nil, err
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// tidy collapses runs of blank lines that template actions leave behind
// and ends the page with exactly one newline.
func tidy(b []byte) []byte {
	lines := strings.Split(string(b), "\n")
	var out []string
	blank := false
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			if blank || len(out) == 0 {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	return []byte(strings.TrimRight(strings.Join(out, "\n"), "\n") + "\n")
}
