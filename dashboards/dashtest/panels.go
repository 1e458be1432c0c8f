package dashtest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/voicewatch/voicewatch/dashboards"
)

// Panel is what tests read of a generated Grafana panel: its title, type,
// queries, unit and threshold steps.
type Panel struct {
	Title   string `json:"title"`
	Type    string `json:"type"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	FieldConfig struct {
		Defaults struct {
			Unit       string `json:"unit"`
			Thresholds struct {
				Steps []Step `json:"steps"`
			} `json:"thresholds"`
		} `json:"defaults"`
	} `json:"fieldConfig"`
}

// Step is one threshold step: from Value (nil: the base step) on, Color.
type Step struct {
	Value *float64 `json:"value"`
	Color string   `json:"color"`
}

// Expr returns the panel's queries, one a line.
func (p Panel) Expr() string {
	var e []string
	for _, t := range p.Targets {
		e = append(e, t.Expr)
	}
	return strings.Join(e, "\n")
}

// Steps returns the panel's threshold steps.
func (p Panel) Steps() []Step { return p.FieldConfig.Defaults.Thresholds.Steps }

// Dashboards generates the Grafana dashboards of cfg.
func Dashboards(t testing.TB, cfg dashboards.Config) []dashboards.Dashboard {
	t.Helper()
	ds, err := generator(t, cfg).Grafana()
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// Queries returns every panel query of the Grafana dashboards of cfg.
func Queries(t testing.TB, cfg dashboards.Config) []dashboards.PanelQuery {
	t.Helper()
	qs, err := generator(t, cfg).Queries()
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

func generator(t testing.TB, cfg dashboards.Config) *dashboards.Generator {
	t.Helper()
	g, err := dashboards.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// Panels generates the Grafana dashboards of cfg and returns the panels of
// the one with uid, by title.
func Panels(t testing.TB, cfg dashboards.Config, uid string) map[string]Panel {
	t.Helper()
	for _, d := range Dashboards(t, cfg) {
		if d.UID != uid {
			continue
		}
		raw, err := d.JSON()
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Panels []Panel `json:"panels"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		out := map[string]Panel{}
		for _, p := range doc.Panels {
			out[p.Title] = p
		}
		return out
	}
	t.Fatalf("no dashboard %s", uid)
	return nil
}
