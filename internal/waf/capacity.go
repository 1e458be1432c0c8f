package waf

import "github.com/aws/aws-sdk-go-v2/service/wafv2/types"

// ManagedCapacity is the documented WCU capacity of the AWS managed rule
// groups this package uses (AWS WAF Developer Guide, "AWS Managed Rules
// rule groups list").
var ManagedCapacity = map[string]int{
	"AWSManagedRulesCommonRuleSet":          700,
	"AWSManagedRulesKnownBadInputsRuleSet":  200,
	"AWSManagedRulesAmazonIpReputationList": 25,
	"AWSManagedRulesLinuxRuleSet":           200,
	"AWSManagedRulesUnixRuleSet":            100,
	"AWSManagedRulesPHPRuleSet":             100,
}

// Capacity returns the WCUs of a statement, by the rules the AWS WAF
// Developer Guide gives for rule statements ("Web ACL capacity units"):
//
//   - a regular expression match: 3, plus 10 per text transformation other
//     than NONE;
//   - a string match: 2 for EXACTLY, STARTS_WITH and ENDS_WITH, 10 for
//     CONTAINS and CONTAINS_WORD, plus 10 per text transformation other
//     than NONE;
//   - a geographic match: 1; a rate-based statement: 2 plus its scope-down
//     statement;
//   - AND, OR and NOT: the sum of their statements;
//   - a managed rule group: its published capacity (ManagedCapacity).
//
// A web ACL's capacity is the sum over its rules. AWS's CheckCapacity
// answers the same question server-side; Applier.Apply compares the two.
func Capacity(st *types.Statement) int {
	if st == nil {
		return 0
	}
	transforms := func(tt []types.TextTransformation) int {
		n := 0
		for _, t := range tt {
			if t.Type != types.TextTransformationTypeNone {
				n += 10
			}
		}
		return n
	}
	switch {
	case st.RegexMatchStatement != nil:
		return 3 + transforms(st.RegexMatchStatement.TextTransformations)
	case st.ByteMatchStatement != nil:
		n := 10
		switch st.ByteMatchStatement.PositionalConstraint {
		case types.PositionalConstraintExactly, types.PositionalConstraintStartsWith, types.PositionalConstraintEndsWith:
			n = 2
		}
		return n + transforms(st.ByteMatchStatement.TextTransformations)
	case st.GeoMatchStatement != nil:
		return 1
	case st.RateBasedStatement != nil:
		return 2 + Capacity(st.RateBasedStatement.ScopeDownStatement)
	case st.NotStatement != nil:
		return Capacity(st.NotStatement.Statement)
	case st.OrStatement != nil:
		n := 0
		for i := range st.OrStatement.Statements {
			n += Capacity(&st.OrStatement.Statements[i])
		}
		return n
	case st.AndStatement != nil:
		n := 0
		for i := range st.AndStatement.Statements {
			n += Capacity(&st.AndStatement.Statements[i])
		}
		return n
	case st.ManagedRuleGroupStatement != nil:
		if st.ManagedRuleGroupStatement.Name != nil {
			return ManagedCapacity[*st.ManagedRuleGroupStatement.Name]
		}
	}
	return 0
}
