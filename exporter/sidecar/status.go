package sidecar

import (
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/voicewatch/voicewatch/probes"
)

// statusTmpl is the status page. html/template escapes every value: probe
// names, targets and error messages come from configuration and remote
// servers.
var statusTmpl = template.Must(template.New("status").Funcs(template.FuncMap{
	"ms":  func(d time.Duration) string { return d.Round(10 * time.Microsecond).String() },
	"ts":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"pct": func(r float64) string { return strconv.FormatFloat(r*100, 'f', 1, 64) + " %" },
}).Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>voicewatch sidecar</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.ok{color:#070}.fail{color:#b00}</style>
</head><body>
<h1>voicewatch sidecar</h1>
<p><a href="/metrics">/metrics</a> · <a href="/-/ready">/-/ready</a> · generated {{ts .Now}}</p>
<h2>Probes</h2>
{{if .Results}}<table><tr><th>probe</th><th>kind</th><th>target</th><th>status</th><th>duration</th><th>phases</th><th>path</th><th>failure</th></tr>
{{range .Results}}<tr><td>{{.Probe}}</td><td>{{.Kind}}</td><td>{{.Target}}</td>
{{if .Success}}<td class="ok">ok</td>{{else}}<td class="fail">FAIL</td>{{end}}
<td>{{ms .Duration}}</td><td>{{range .Phases}}{{.Name}}={{ms .Duration}} {{end}}</td>
<td>{{with .Media}}rtt={{ms .RTT}} jitter={{ms .Jitter}} loss={{pct .Loss}}{{end}}</td>
<td>{{with .Failure}}{{.Reason}} in {{.Phase}}: {{.Message}}{{end}}</td></tr>
{{end}}</table>{{else}}<p>No probe has run yet.</p>{{end}}
<h2>Recent failures</h2>
{{if .Failures}}<table><tr><th>time</th><th>probe</th><th>target</th><th>reason</th><th>message</th></tr>
{{range .Failures}}<tr><td>{{ts .At}}</td><td>{{.Result.Probe}}</td><td>{{.Result.Target}}</td>
<td>{{with .Result.Failure}}{{.Reason}} in {{.Phase}}{{end}}</td><td>{{with .Result.Failure}}{{.Message}}{{end}}</td></tr>
{{end}}</table>{{else}}<p>None.</p>{{end}}
</body></html>
`))

type statusData struct {
	Now      time.Time
	Results  []probes.Result
	Failures []failure
}

func (s *Sidecar) serveStatus(w http.ResponseWriter, _ *http.Request) {
	d := statusData{Now: s.now(), Results: s.gen.Load().sched.results(), Failures: s.failures.list()}
	sort.SliceStable(d.Results, func(i, j int) bool { return d.Results[i].Probe < d.Results[j].Probe })
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := statusTmpl.Execute(w, d); err != nil {
		s.log.Warn("status page", "err", err)
	}
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
