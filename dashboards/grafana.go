package dashboards

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// Dashboard is one generated Grafana dashboard.
type Dashboard struct {
	// Name is the file name stem, e.g. "overview" for grafana/overview.json.
	Name string
	// UID is the stable Grafana UID.
	UID string
	// Title is the dashboard title.
	Title string
	// Model is the dashboard as built by grafana-foundation-sdk.
	Model dashboard.Dashboard
}

// JSON returns the dashboard model as indented JSON with a trailing newline,
// the form committed under dashboards/grafana.
func (d Dashboard) JSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d.Model); err != nil {
		return nil, fmt.Errorf("encode dashboard %s: %w", d.UID, err)
	}
	return buf.Bytes(), nil
}

// section builds one dashboard.
type section struct {
	name, title, description string
	build                    func(*dashboard.DashboardBuilder) *dashboard.DashboardBuilder
}

// Grafana builds every Grafana dashboard, in a stable order.
func (g *Generator) Grafana() ([]Dashboard, error) {
	sections := []section{
		{"overview", "Voice agent overview", "Sessions, WebRTC connections, ICE, speech providers and the SLOs of the voice agent.", g.overview},
		{"probes", "Probes", "Synthetic STUN, TURN, WebRTC and HTTP probes: success, phase durations and failure reasons.", g.probes},
		{"edge", "Edge and security", "Legitimate vs scanner traffic, guard rejections and rate limiting at the media core's HTTP edge.", g.edge},
		{"sidecar", "Sidecar health", "The voicewatch sidecar itself: scrapes, log pipeline, CloudWatch publishing and the cardinality guard.", g.sidecar},
	}
	out := make([]Dashboard, 0, len(sections))
	for _, s := range sections {
		uid := g.cfg.UIDPrefix + s.name
		b := g.board(uid, s.title, s.description)
		model, err := s.build(b).Build()
		if err != nil {
			return nil, fmt.Errorf("build dashboard %s: %w", uid, err)
		}
		numberPanels(&model)
		out = append(out, Dashboard{Name: s.name, UID: uid, Title: s.title, Model: model})
	}
	return out, nil
}

// board starts a dashboard with the shared settings and variables.
func (g *Generator) board(uid, title, description string) *dashboard.DashboardBuilder {
	jobs := g.cfg.VoiceJob + "|" + g.cfg.SidecarJob
	env := fmt.Sprintf(`label_values(%s{job=~"%s"}, %s)`, MetricUp, jobs, g.cfg.EnvironmentLabel)
	svc := fmt.Sprintf(`label_values(%s{job=~"%s", %s=~"$%s"}, %s)`, MetricUp, jobs, g.cfg.EnvironmentLabel, varEnvironment, g.cfg.ServiceLabel)
	return dashboard.NewDashboardBuilder(title).
		Uid(uid).
		Description(description).
		Tags([]string{"voicewatch", "generated"}).
		Editable().
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		Refresh("30s").
		Time("now-3h", "now").
		Timezone(common.TimeZoneBrowser).
		Link(dashboard.NewDashboardLinkBuilder("voicewatch").
			Type(dashboard.DashboardLinkTypeDashboards).
			Tags([]string{"voicewatch"}).
			AsDropdown(true).
			IncludeVars(true).
			KeepTime(true)).
		WithVariable(dashboard.NewDatasourceVariableBuilder(varDatasource).
			Label("Data source").
			Type("prometheus")).
		WithVariable(queryVariable(varEnvironment, "Environment", env)).
		WithVariable(queryVariable(varService, "Service", svc))
}

func queryVariable(name, label, q string) *dashboard.QueryVariableBuilder {
	return dashboard.NewQueryVariableBuilder(name).
		Label(label).
		Query(dashboard.StringOrMap{String: cog.ToPtr(q)}).
		Definition(q).
		Datasource(datasourceRef()).
		Current(dashboard.VariableOption{
			Selected: cog.ToPtr(true),
			Text:     dashboard.StringOrArrayOfString{ArrayOfString: []string{"All"}},
			Value:    dashboard.StringOrArrayOfString{ArrayOfString: []string{"$__all"}},
		}).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalAsc).
		Multi(true).
		IncludeAll(true).
		// ".*" also matches series without the label, so the dashboards work
		// before anyone adds environment/service target labels.
		AllValue(".*")
}

// numberPanels gives every panel and row a stable id in layout order.
func numberPanels(d *dashboard.Dashboard) {
	var id uint32
	for i := range d.Panels {
		id++
		switch p := d.Panels[i]; {
		case p.Panel != nil:
			p.Panel.Id = cog.ToPtr(id)
		case p.RowPanel != nil:
			p.RowPanel.Id = id
		}
	}
}

// PanelQuery is one PromQL query of one panel (CloudWatch targets are not
// listed), as written in the dashboard (with
// Grafana variables such as $__rate_interval still in it).
type PanelQuery struct {
	Dashboard string // dashboard UID
	Panel     string // panel title
	RefID     string
	Expr      string
}

// String names the query for test output.
func (q PanelQuery) String() string {
	return q.Dashboard + "/" + strings.ReplaceAll(q.Panel, " ", "_") + "/" + q.RefID
}

// Queries returns every panel query of every Grafana dashboard, read back
// from the generated JSON so that it is exactly what Grafana will run.
func (g *Generator) Queries() ([]PanelQuery, error) {
	ds, err := g.Grafana()
	if err != nil {
		return nil, err
	}
	var out []PanelQuery
	for _, d := range ds {
		raw, err := d.JSON()
		if err != nil {
			return nil, err
		}
		var doc struct {
			Panels []struct {
				Title   string `json:"title"`
				Targets []struct {
					RefID string `json:"refId"`
					Expr  string `json:"expr"`
				} `json:"targets"`
			} `json:"panels"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			return nil, fmt.Errorf("decode dashboard %s: %w", d.UID, err)
		}
		for _, p := range doc.Panels {
			for _, t := range p.Targets {
				if t.Expr == "" {
					continue // a CloudWatch target (the edge dashboard's AWS WAF row)
				}
				out = append(out, PanelQuery{Dashboard: d.UID, Panel: p.Title, RefID: t.RefID, Expr: t.Expr})
			}
		}
	}
	return out, nil
}
