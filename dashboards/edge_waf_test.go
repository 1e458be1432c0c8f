package dashboards_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/voicewatch/voicewatch/dashboards"
	"github.com/voicewatch/voicewatch/dashboards/dashtest"
	"github.com/voicewatch/voicewatch/internal/waf"
)

// TestEdgeWAFRowMatchesTheWebACL: the edge dashboard's AWS WAF row searches
// AWS/WAFV2 by the Rule dimension for the web ACL `agent waf` creates by
// default, and every rule of that web ACL publishes its metric under its
// own name, so each appears as one series.
func TestEdgeWAFRowMatchesTheWebACL(t *testing.T) {
	ds := dashtest.Dashboards(t, dashboards.Config{})
	var raw []byte
	for _, d := range ds {
		if d.Name == "edge" {
			raw, _ = d.JSON()
		}
	}
	var doc struct {
		Templating struct {
			List []struct {
				Name  string `json:"name"`
				Type  string `json:"type"`
				Query any    `json:"query"`
			} `json:"list"`
		} `json:"templating"`
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expression string `json:"expression"`
				Datasource struct {
					Type string `json:"type"`
				} `json:"datasource"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, p := range doc.Panels {
		for _, tg := range p.Targets {
			if tg.Datasource.Type != "cloudwatch" {
				continue
			}
			for _, m := range dashboards.WAFMetrics {
				if strings.Contains(tg.Expression, `MetricName="`+m+`"`) && strings.Contains(tg.Expression, "{AWS/WAFV2,Region,Rule,WebACL}") &&
					strings.Contains(tg.Expression, `WebACL="$webacl"`) {
					found[m] = true
				}
			}
		}
	}
	for _, m := range dashboards.WAFMetrics {
		if !found[m] {
			t.Errorf("no CloudWatch panel searches %s by rule for $webacl", m)
		}
	}
	def := ""
	for _, v := range doc.Templating.List {
		if v.Name == "webacl" {
			b, _ := json.Marshal(v.Query)
			def = strings.Trim(string(b), `"`)
		}
	}
	if def != waf.DefaultName {
		t.Errorf("$webacl defaults to %q, the web ACL is named %q", def, waf.DefaultName)
	}
	plan, err := waf.Build(waf.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range plan.WebACL.Rules {
		if v := r.VisibilityConfig; !v.CloudWatchMetricsEnabled || aws.ToString(v.MetricName) != aws.ToString(r.Name) {
			t.Errorf("rule %s publishes %q, want its own name", aws.ToString(r.Name), aws.ToString(v.MetricName))
		}
	}
}
