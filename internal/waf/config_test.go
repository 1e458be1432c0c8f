package waf

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"unknown field", "rate_limt: 10\n", "field rate_limt not found"},
		{"scope", "scope: GLOBAL\n", `scope "GLOBAL": want REGIONAL (an ALB) or CLOUDFRONT (a distribution)`},
		{"rate", "rate_limit: 5\n", "rate_limit 5: AWS accepts 10 to 2,000,000,000 requests per window"},
		{"window", "rate_window_seconds: 30\n", "rate_window_seconds 30: want 60, 120, 300 or 600"},
		{"rule set", "extra_rule_sets: [windows]\n", `extra_rule_sets: "windows" is not one of linux, unix, php`},
		{"country", "geo_count_countries: [germany]\n", `geo_count_countries: "germany" is not an ISO 3166 alpha-2 code such as DE or US`},
		{"log group", "log_destination_arn: arn:aws:logs:eu-west-1:123456789012:log-group:waf\n", "AWS WAF only logs to a log group whose name starts with aws-waf-logs-"},
		{"budget", "wcu_budget: 6000\n", "wcu_budget 6000: at most 5000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(strings.NewReader(tt.yaml))
			if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrInvalidConfig with %q", err, tt.want)
			}
		})
	}
}

func TestBuildDefaults(t *testing.T) {
	p := mustBuild(t, Config{})
	if p.Capacity > DefaultWCUBudget {
		t.Errorf("default web ACL needs %d WCUs, over the base budget %d", p.Capacity, DefaultWCUBudget)
	}
	names := map[string]bool{}
	for _, r := range p.WebACL.Rules {
		names[aws.ToString(r.Name)] = true
		if v := r.VisibilityConfig; v == nil || !v.CloudWatchMetricsEnabled || aws.ToString(v.MetricName) != aws.ToString(r.Name) {
			t.Errorf("rule %s: visibility %+v, want CloudWatch metrics named after the rule", aws.ToString(r.Name), v)
		}
		if rb := r.Statement.RateBasedStatement; rb != nil && (aws.ToInt64(rb.Limit) != 2000 || rb.EvaluationWindowSec != 300 || rb.AggregateKeyType != "IP") {
			t.Errorf("rate-based rule %+v, want 2000 per 300 s per IP", rb)
		}
	}
	for _, want := range []string{RuleIPReputation, RuleRateLimit, RuleInvalidMethod, RuleExploitPayloads, RuleExploitPaths, RuleScannerAgents, RuleCommon, RuleKnownBadInputs} {
		if !names["voicewatch-"+want] {
			t.Errorf("no rule voicewatch-%s", want)
		}
	}
	if names["voicewatch-"+RuleGeoCount] || names["voicewatch-"+RuleUnknownRoute] || p.Logging != nil {
		t.Error("geo, route or logging configured without being asked for")
	}
	// Behind CloudFront, the rate-based rule keys on X-Forwarded-For.
	p = mustBuild(t, Config{BehindCloudFront: true, GeoCountCountries: []string{"CN"}})
	for _, r := range p.WebACL.Rules {
		if rb := r.Statement.RateBasedStatement; rb != nil && (rb.AggregateKeyType != "FORWARDED_IP" || aws.ToString(rb.ForwardedIPConfig.HeaderName) != "X-Forwarded-For") {
			t.Errorf("rate-based rule behind CloudFront: %+v", rb)
		}
		if g := r.Statement.GeoMatchStatement; g != nil && (r.Action.Count == nil || g.ForwardedIPConfig == nil) {
			t.Error("geographic rule must count, by forwarded IP behind CloudFront")
		}
	}
}

func TestBuildOverBudget(t *testing.T) {
	_, err := Build(Config{ExtraRuleSets: []string{"linux", "unix", "php"}})
	if !errors.Is(err, ErrOverBudget) || !strings.Contains(err.Error(), "budget 1500") {
		t.Fatalf("err = %v, want ErrOverBudget", err)
	}
	p, err := Build(Config{ExtraRuleSets: []string{"linux", "unix", "php"}, WCUBudget: 2000})
	if err != nil || p.Capacity <= 1500 {
		t.Fatalf("with a budget of 2000: %v, %d WCUs", err, p.Capacity)
	}
}
