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
	"hms": func(t time.Time) string { return t.UTC().Format("15:04:05") },
	"ago": func(now, t time.Time) string {
		return now.Sub(t).Round(time.Second).String() + " ago"
	},
	"in": func(now, t time.Time) string {
		if d := t.Sub(now); d > 0 {
			return "in " + d.Round(time.Second).String()
		}
		return "due"
	},
	"pct": func(r float64) string { return strconv.FormatFloat(r*100, 'f', 1, 64) + " %" },
}).Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>voicewatch sidecar</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}.ok{color:#070}.fail{color:#b00}
.strip{white-space:nowrap;font-family:monospace}.strip span{display:inline-block;width:0.9em;text-align:center}.strip .ok{background:#dfd}.strip .fail{background:#fdd}</style>
</head><body>
<h1>voicewatch sidecar</h1>
<p><a href="/metrics">/metrics</a> · <a href="/-/ready">/-/ready</a> · generated {{ts .Now}}</p>
<h2>Probes</h2>
{{if .Probes}}<table><tr><th>probe</th><th>kind</th><th>target</th><th>status</th><th>last run</th><th>interval</th><th>next run</th><th>last {{.HistoryLen}} (oldest first)</th><th>duration</th><th>phases</th><th>path</th><th>failure</th></tr>
{{range .Probes}}<tr class="probe"><td>{{.Name}}</td><td>{{.Kind}}</td><td>{{.Target}}</td>
{{with .Latest}}{{if .Success}}<td class="ok">ok</td>{{else}}<td class="fail">FAIL</td>{{end}}{{else}}<td>not run yet</td>{{end}}
<td class="last-run">{{if .LastRun.IsZero}}—{{else}}{{hms .LastRun}} ({{ago $.Now .LastRun}}){{end}}</td>
<td class="interval">{{.Interval}}</td>
<td class="next-run">{{if .NextRun.IsZero}}{{if .LastRun.IsZero}}starting{{else}}running{{end}}{{else}}{{hms .NextRun}} ({{in $.Now .NextRun}}){{end}}</td>
<td class="strip">{{range .History}}{{if .Success}}<span class="ok" title="{{ts .At}} ok in {{ms .Duration}}">✓</span>{{else}}<span class="fail" title="{{ts .At}} {{.Reason}} in {{.Phase}} after {{ms .Duration}}">✗</span>{{end}}{{end}}</td>
{{with .Latest}}<td>{{ms .Duration}}</td><td>{{range .Phases}}{{.Name}}={{ms .Duration}} {{end}}</td>
<td>{{with .Media}}rtt={{ms .RTT}} jitter={{ms .Jitter}} loss={{pct .Loss}}{{end}}</td>
<td>{{with .Failure}}{{.Reason}} in {{.Phase}}: {{.Message}}{{end}}</td>{{else}}<td></td><td></td><td></td><td></td>{{end}}</tr>
{{end}}</table>{{else}}<p>No probes are scheduled (probes: in the sidecar config).</p>{{end}}
<h2>Recent failures</h2>
{{if .Failures}}<table><tr><th>time</th><th>probe</th><th>target</th><th>reason</th><th>message</th></tr>
{{range .Failures}}<tr><td>{{ts .At}}</td><td>{{.Result.Probe}}</td><td>{{.Result.Target}}</td>
<td>{{with .Result.Failure}}{{.Reason}} in {{.Phase}}{{end}}</td><td>{{with .Result.Failure}}{{.Message}}{{end}}</td></tr>
{{end}}</table>{{else}}<p>None.</p>{{end}}
</body></html>
`))

type statusData struct {
	Now        time.Time
	HistoryLen int
	Probes     []probeRow
	Failures   []failure
}

// probeRow is one scheduled probe on the status page.
type probeRow struct {
	Name, Kind, Target string
	probeState
	Latest *probes.Result // nil before the first run
}

func (s *Sidecar) serveStatus(w http.ResponseWriter, _ *http.Request) {
	sched := s.gen.Load().sched
	states := sched.status.snapshot()
	sched.mu.RLock()
	rows := make([]probeRow, len(sched.specs))
	for i, sp := range sched.specs {
		rows[i] = probeRow{Name: sp.Name, Kind: sp.Kind, Target: sp.Target, Latest: sched.latest[i]}
		if i < len(states) {
			rows[i].probeState = states[i]
		}
	}
	sched.mu.RUnlock()
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
	d := statusData{Now: s.now(), HistoryLen: historyLen, Probes: rows, Failures: s.failures.list()}
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
