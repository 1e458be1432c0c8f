package waf

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"

	"github.com/voicewatch/voicewatch/internal/httpguard"
)

// maxRegexLen is the longest RegexString a RegexMatchStatement takes.
const maxRegexLen = 512

// Plan is the web ACL to create or update, with its logging configuration
// and capacity.
type Plan struct {
	// WebACL is the CreateWebACL input (UpdateWebACL takes the same
	// fields plus the ACL's Id and LockToken).
	WebACL *wafv2.CreateWebACLInput
	// Logging is the PutLoggingConfiguration input, nil without a log
	// destination. Its ResourceArn is empty until the web ACL exists.
	Logging *wafv2.PutLoggingConfigurationInput
	// Capacity is the web ACL's WCU count and Rules the count per rule,
	// in priority order (see Capacity for how they are computed).
	Capacity int
	Rules    []RuleCapacity
	// Budget is the configured WCU budget.
	Budget int
}

// RuleCapacity is one rule's WCU count.
type RuleCapacity struct {
	Name string
	WCU  int
}

// The signature groups turned into custom rules: each becomes one rule
// whose CloudWatch metric counts the requests it blocked.
var (
	payloadPatterns = []httpguard.Pattern{
		httpguard.PatternJNDI, httpguard.PatternPathTraversal, httpguard.PatternCGIInjection,
		httpguard.PatternTemplate, httpguard.PatternSQLi, httpguard.PatternXSS,
	}
	probePatterns = []httpguard.Pattern{
		httpguard.PatternWebLogic, httpguard.PatternDotfile, httpguard.PatternBackupFile,
		httpguard.PatternWordPress, httpguard.PatternPHP, httpguard.PatternAdminPanel, httpguard.PatternOther,
	}
	agentPatterns = []httpguard.Pattern{httpguard.PatternScannerAgent}
)

// Rule name suffixes; a rule is named Config.Name + "-" + suffix, and so is
// its CloudWatch metric (dimension Rule of AWS/WAFV2).
const (
	RuleGeoCount        = "geo-count"
	RuleIPReputation    = "ip-reputation"
	RuleRateLimit       = "rate-limit"
	RuleInvalidMethod   = "invalid-method"
	RuleUnknownRoute    = "unknown-route"
	RuleExploitPayloads = "exploit-payloads"
	RuleExploitPaths    = "exploit-paths"
	RuleScannerAgents   = "scanner-agents"
	RuleCommon          = "aws-common"
	RuleKnownBadInputs  = "aws-known-bad-inputs"
)

// managedGroups maps the optional rule set names to AWS managed groups.
var managedGroups = map[string]string{
	"linux": "AWSManagedRulesLinuxRuleSet",
	"unix":  "AWSManagedRulesUnixRuleSet",
	"php":   "AWSManagedRulesPHPRuleSet",
}

// Text transformations of the signature rules. Each costs 10 WCUs per
// statement, so they are spent where they matter: payloads (traversal
// above all) are looked for through two rounds of percent-decoding, as the
// guard sees through double encoding; probe paths through one; the
// User-Agent, which is not percent-encoded, is only lowercased.
var (
	decodeTwiceLower = []types.TextTransformation{
		{Priority: 0, Type: types.TextTransformationTypeUrlDecode},
		{Priority: 1, Type: types.TextTransformationTypeUrlDecodeUni},
		{Priority: 2, Type: types.TextTransformationTypeLowercase},
	}
	decodeLower = []types.TextTransformation{
		{Priority: 0, Type: types.TextTransformationTypeUrlDecodeUni},
		{Priority: 1, Type: types.TextTransformationTypeLowercase},
	}
	lowerOnly = []types.TextTransformation{{Priority: 0, Type: types.TextTransformationTypeLowercase}}
)

// signatureField is one request field a signature rule inspects, and
// the patterns looked for in it besides the rule's own.
type signatureField struct {
	in         httpguard.Field
	match      func() *types.FieldToMatch
	transforms []types.TextTransformation
	also       []httpguard.Pattern
}

// signatureRules are the custom rules generated from the guard's
// signature table: which patterns, in which fields, decoded how.
var signatureRules = []struct {
	suffix   string
	patterns []httpguard.Pattern
	fields   []signatureField
}{
	{RuleExploitPayloads, payloadPatterns, []signatureField{
		{httpguard.FieldTarget, uriPath, decodeTwiceLower, nil},
		// PHP code (php://, <?php, call_user_func ...) is a payload in a
		// query string.
		{httpguard.FieldTarget, queryString, decodeTwiceLower, []httpguard.Pattern{httpguard.PatternPHP}},
		{httpguard.FieldUserAgent, userAgent, lowerOnly, nil},
	}},
	// Probe paths are looked for in the path only: the guard also flags
	// them inside a query string (?next=/wp-admin), the WAF leaves that to
	// the guard to stay within the base WCU budget.
	{RuleExploitPaths, probePatterns, []signatureField{
		{httpguard.FieldTarget, uriPath, decodeLower, nil},
		{httpguard.FieldUserAgent, userAgent, lowerOnly, nil},
	}},
	{RuleScannerAgents, agentPatterns, []signatureField{
		{httpguard.FieldUserAgent, userAgent, lowerOnly, nil},
	}},
}

var noTransform = []types.TextTransformation{{Priority: 0, Type: types.TextTransformationTypeNone}}

// Build returns the Plan for cfg (defaults applied). It fails with
// ErrInvalidConfig for a bad config and ErrOverBudget when the rules need
// more WCUs than cfg.WCUBudget.
func Build(cfg Config) (*Plan, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	b := builder{cfg: cfg}
	if len(cfg.GeoCountCountries) > 0 {
		geo := &types.GeoMatchStatement{ForwardedIPConfig: b.forwardedIP()}
		for _, cc := range cfg.GeoCountCountries {
			geo.CountryCodes = append(geo.CountryCodes, types.CountryCode(cc))
		}
		b.rule(RuleGeoCount, &types.Statement{GeoMatchStatement: geo}, count())
	}
	b.managed(RuleIPReputation, "AWSManagedRulesAmazonIpReputationList", nil)
	rate := &types.RateBasedStatement{
		Limit: aws.Int64(cfg.RateLimit), EvaluationWindowSec: cfg.RateWindowSeconds,
		AggregateKeyType: types.RateBasedStatementAggregateKeyTypeIp,
	}
	if cfg.BehindCloudFront {
		rate.AggregateKeyType = types.RateBasedStatementAggregateKeyTypeForwardedIp
		rate.ForwardedIPConfig = b.forwardedIP()
	}
	b.rule(RuleRateLimit, &types.Statement{RateBasedStatement: rate}, block())
	b.rule(RuleInvalidMethod, invalidMethod(), block())
	if len(cfg.Routes) > 0 {
		routes, err := httpguard.ParseRoutes(cfg.Routes)
		if err != nil {
			return nil, fmt.Errorf("%w: routes: %w", ErrInvalidConfig, err)
		}
		st, err := regexStatements([]string{routes.Regexp()}, uriPath(), noTransform)
		if err != nil {
			return nil, fmt.Errorf("%w: routes: %w", ErrInvalidConfig, err)
		}
		b.rule(RuleUnknownRoute, &types.Statement{NotStatement: &types.NotStatement{Statement: or(st)}}, block())
	}
	for _, g := range signatureRules {
		var sts []types.Statement
		for _, f := range g.fields {
			alts := httpguard.DecodedRegexps(f.in, maxRegexLen, append(slices.Clone(g.patterns), f.also...)...)
			st, err := regexStatements(alts, f.match(), f.transforms)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", g.suffix, err)
			}
			sts = append(sts, st...)
		}
		if len(sts) > 0 {
			b.rule(g.suffix, or(sts), block())
		}
	}
	b.managed(RuleCommon, "AWSManagedRulesCommonRuleSet", []types.RuleActionOverride{{
		// WHIP offers are SDP bodies that can exceed the rule's 8 KB; the
		// media core bounds bodies itself (http.max_body_bytes).
		Name: aws.String("SizeRestrictions_BODY"), ActionToUse: count(),
	}})
	b.managed(RuleKnownBadInputs, "AWSManagedRulesKnownBadInputsRuleSet", nil)
	for _, s := range OptionalRuleSets {
		if slices.Contains(cfg.ExtraRuleSets, s) {
			b.managed("aws-"+s, managedGroups[s], nil)
		}
	}
	p := &Plan{
		WebACL: &wafv2.CreateWebACLInput{
			Name:          aws.String(cfg.Name),
			Scope:         types.Scope(cfg.Scope),
			Description:   aws.String("voicewatch edge protection, generated by 'agent waf export'; edit the generator, not this ACL"),
			DefaultAction: &types.DefaultAction{Allow: &types.AllowAction{}},
			Rules:         b.rules,
			VisibilityConfig: &types.VisibilityConfig{
				CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true, MetricName: aws.String(cfg.Name),
			},
		},
		Budget: cfg.WCUBudget,
	}
	for _, r := range b.rules {
		n := Capacity(r.Statement)
		p.Rules = append(p.Rules, RuleCapacity{Name: aws.ToString(r.Name), WCU: n})
		p.Capacity += n
	}
	if p.Capacity > cfg.WCUBudget {
		return nil, fmt.Errorf("%w: %d WCUs, budget %d (%s)", ErrOverBudget, p.Capacity, cfg.WCUBudget, p.breakdown())
	}
	if cfg.LogDestinationARN != "" {
		p.Logging = &wafv2.PutLoggingConfigurationInput{LoggingConfiguration: &types.LoggingConfiguration{
			LogDestinationConfigs: []string{cfg.LogDestinationARN},
			// Bearer tokens and cookies never reach the logs.
			RedactedFields: []types.FieldToMatch{
				{SingleHeader: &types.SingleHeader{Name: aws.String("authorization")}},
				{SingleHeader: &types.SingleHeader{Name: aws.String("cookie")}},
			},
		}}
	}
	return p, nil
}

func (p *Plan) breakdown() string {
	parts := make([]string, len(p.Rules))
	for i, r := range p.Rules {
		parts[i] = fmt.Sprintf("%s %d", r.Name, r.WCU)
	}
	return strings.Join(parts, ", ")
}

// builder accumulates rules in priority order.
type builder struct {
	cfg   Config
	rules []types.Rule
}

func (b *builder) visibility(name string) *types.VisibilityConfig {
	return &types.VisibilityConfig{CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true, MetricName: aws.String(name)}
}

func (b *builder) rule(suffix string, st *types.Statement, action *types.RuleAction) {
	name := b.cfg.Name + "-" + suffix
	b.rules = append(b.rules, types.Rule{
		Name: aws.String(name), Priority: int32(len(b.rules)), Statement: st, Action: action,
		VisibilityConfig: b.visibility(name),
	})
}

func (b *builder) managed(suffix, group string, overrides []types.RuleActionOverride) {
	name := b.cfg.Name + "-" + suffix
	b.rules = append(b.rules, types.Rule{
		Name: aws.String(name), Priority: int32(len(b.rules)),
		Statement: &types.Statement{ManagedRuleGroupStatement: &types.ManagedRuleGroupStatement{
			VendorName: aws.String("AWS"), Name: aws.String(group), RuleActionOverrides: overrides,
		}},
		OverrideAction:   &types.OverrideAction{None: &types.NoneAction{}},
		VisibilityConfig: b.visibility(name),
	})
}

func (b *builder) forwardedIP() *types.ForwardedIPConfig {
	if !b.cfg.BehindCloudFront {
		return nil
	}
	return &types.ForwardedIPConfig{HeaderName: aws.String("X-Forwarded-For"), FallbackBehavior: types.FallbackBehaviorMatch}
}

func block() *types.RuleAction { return &types.RuleAction{Block: &types.BlockAction{}} }
func count() *types.RuleAction { return &types.RuleAction{Count: &types.CountAction{}} }

func uriPath() *types.FieldToMatch     { return &types.FieldToMatch{UriPath: &types.UriPath{}} }
func queryString() *types.FieldToMatch { return &types.FieldToMatch{QueryString: &types.QueryString{}} }
func userAgent() *types.FieldToMatch {
	return &types.FieldToMatch{SingleHeader: &types.SingleHeader{Name: aws.String("user-agent")}}
}

// servedMethods are the methods httpguard.KnownMethod accepts.
var servedMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// invalidMethod matches a method other than those the media core serves
// (httpguard.KnownMethod).
func invalidMethod() *types.Statement {
	var sts []types.Statement
	for _, m := range servedMethods {
		sts = append(sts, types.Statement{ByteMatchStatement: &types.ByteMatchStatement{
			FieldToMatch: &types.FieldToMatch{Method: &types.Method{}}, SearchString: []byte(m),
			PositionalConstraint: types.PositionalConstraintExactly, TextTransformations: noTransform,
		}})
	}
	return &types.Statement{NotStatement: &types.NotStatement{Statement: or(sts)}}
}

// regexStatements packs alternatives into as few regular expressions of at
// most maxRegexLen bytes as it can, one RegexMatchStatement each.
func regexStatements(alts []string, field *types.FieldToMatch, tt []types.TextTransformation) ([]types.Statement, error) {
	var out []types.Statement
	var cur []string
	n := 0
	flush := func() {
		if len(cur) > 0 {
			out = append(out, types.Statement{RegexMatchStatement: &types.RegexMatchStatement{
				RegexString: aws.String(strings.Join(cur, "|")), FieldToMatch: field, TextTransformations: tt,
			}})
		}
		cur, n = nil, 0
	}
	for _, a := range alts {
		if len(a) > maxRegexLen {
			return nil, fmt.Errorf("%w: regular expression of %d bytes, over the %d AWS WAF takes: %s", ErrInvalidConfig, len(a), maxRegexLen, a)
		}
		if n+len(a)+1 > maxRegexLen {
			flush()
		}
		cur = append(cur, a)
		n += len(a) + 1
	}
	flush()
	return out, nil
}

// or combines statements; a single statement is returned as it is.
func or(sts []types.Statement) *types.Statement {
	if len(sts) == 1 {
		return &sts[0]
	}
	return &types.Statement{OrStatement: &types.OrStatement{Statements: sts}}
}
