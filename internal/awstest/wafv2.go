package awstest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// wafTargetPrefix is the X-Amz-Target prefix of AWS WAF (v2) operations.
const wafTargetPrefix = "AWSWAF_20190729."

// WAFv2 is an AWS WAF (wafv2) API test server speaking AWS JSON 1.1 as
// aws-sdk-go-v2/service/wafv2 sends it. It keeps web ACLs (with optimistic
// locking: every update needs the current LockToken), associations and
// logging configurations, validates web ACLs the way the service does
// (rule names and priorities unique, exactly one action per rule, one
// statement member per statement, OR with at least two statements, regular
// expressions of at most 512 bytes, a capacity of at most 5000 WCUs) and
// answers CheckCapacity. Fault injection and request counting are promoted
// from the embedded injector. All methods are safe for concurrent use.
type WAFv2 struct {
	server

	mu      sync.Mutex
	acls    map[string]*storedACL // by Id
	assoc   map[string]string     // resource ARN → web ACL ARN
	logging map[string]types.LoggingConfiguration
	seq     int
}

type storedACL struct {
	acl   types.WebACL
	scope types.Scope
	lock  string
}

// NewWAFv2 starts a wafv2 test server on 127.0.0.1; it is closed when the
// test ends.
func NewWAFv2(tb testing.TB) *WAFv2 {
	tb.Helper()
	s := &WAFv2{acls: map[string]*storedACL{}, assoc: map[string]string{}, logging: map[string]types.LoggingConfiguration{}}
	s.start(tb, s.serveHTTP)
	return s
}

// Client returns a wafv2 SDK client pointed at the server.
func (s *WAFv2) Client(opts ...ClientOption) *wafv2.Client {
	return wafv2.NewFromConfig(AWSConfig(opts...), func(o *wafv2.Options) { o.BaseEndpoint = aws.String(s.URL) })
}

// WebACL returns the stored web ACL named name, its lock token and whether
// it exists.
func (s *WAFv2) WebACL(name string) (types.WebACL, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.acls {
		if aws.ToString(a.acl.Name) == name {
			return a.acl, a.lock, true
		}
	}
	return types.WebACL{}, "", false
}

// Association returns the web ACL ARN associated with resourceARN ("" for
// none).
func (s *WAFv2) Association(resourceARN string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.assoc[resourceARN]
}

// Logging returns the logging configuration of the web ACL aclARN.
func (s *WAFv2) Logging(aclARN string) (types.LoggingConfiguration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lc, ok := s.logging[aclARN]
	return lc, ok
}

// Touch changes the stored web ACL's lock token, as a concurrent update by
// someone else would, so the next UpdateWebACL with the old token fails.
func (s *WAFv2) Touch(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.acls {
		if aws.ToString(a.acl.Name) == name {
			a.lock = s.nextLock()
		}
	}
}

// nextLock returns a new lock token; the caller holds s.mu.
func (s *WAFv2) nextLock() string {
	s.seq++
	return fmt.Sprintf("lock-%d", s.seq)
}

// lookup returns the stored web ACL with that Id, name and scope, as
// GetWebACL and UpdateWebACL find it; the caller holds s.mu.
func (s *WAFv2) lookup(id, name *string, scope types.Scope) (*storedACL, *APIError) {
	a, ok := s.acls[aws.ToString(id)]
	if !ok || aws.ToString(a.acl.Name) != aws.ToString(name) || a.scope != scope {
		return nil, wafNotFound()
	}
	return a, nil
}

// exists reports whether a web ACL has the ARN arn; the caller holds s.mu.
func (s *WAFv2) exists(arn string) bool {
	for _, a := range s.acls {
		if aws.ToString(a.acl.ARN) == arn {
			return true
		}
	}
	return false
}

func (s *WAFv2) serveHTTP(w http.ResponseWriter, r *http.Request) {
	serveJSON(w, r, jsonService{
		targetPrefix: wafTargetPrefix, faults: s.faults, camel: false,
		invalid: wafInvalid, throttle: wafThrottle, internal: wafInternal,
		call: func(op string, body []byte) (any, *APIError) {
			switch op {
			case "ListWebACLs":
				return withInput(body, decodeWAF, s.listWebACLs)
			case "CreateWebACL":
				return withInput(body, decodeWAF, s.createWebACL)
			case "GetWebACL":
				return withInput(body, decodeWAF, s.getWebACL)
			case "UpdateWebACL":
				return withInput(body, decodeWAF, s.updateWebACL)
			case "CheckCapacity":
				return withInput(body, decodeWAF, s.checkCapacity)
			case "AssociateWebACL":
				return withInput(body, decodeWAF, s.associateWebACL)
			case "GetWebACLForResource":
				return withInput(body, decodeWAF, s.getWebACLForResource)
			case "PutLoggingConfiguration":
				return withInput(body, decodeWAF, s.putLoggingConfiguration)
			case "GetLoggingConfiguration":
				return withInput(body, decodeWAF, s.getLoggingConfiguration)
			}
			return nil, &APIError{Status: http.StatusBadRequest, Shape: "WAFInvalidOperationException", Message: "operation " + op + " is not served by awstest"}
		},
	})
}

// decodeWAF decodes an AWS JSON 1.1 request into the SDK input type:
// encoding/json matches the PascalCase wire names to the Go fields and
// decodes blobs from base64.
func decodeWAF[T any](body []byte) (*T, *APIError) {
	v := new(T)
	if err := json.Unmarshal(body, v); err != nil {
		return nil, wafInvalid(fmt.Sprintf("%v: %v", ErrDecode, err))
	}
	return v, nil
}

func (s *WAFv2) listWebACLs(in *wafv2.ListWebACLsInput) (any, *APIError) {
	if in.Scope == "" {
		return nil, wafInvalid("Scope is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &wafv2.ListWebACLsOutput{WebACLs: []types.WebACLSummary{}}
	for id, a := range s.acls {
		if a.scope == in.Scope {
			out.WebACLs = append(out.WebACLs, types.WebACLSummary{ARN: a.acl.ARN, Id: aws.String(id), Name: a.acl.Name, LockToken: aws.String(a.lock), Description: a.acl.Description})
		}
	}
	return out, nil
}

func (s *WAFv2) createWebACL(in *wafv2.CreateWebACLInput) (any, *APIError) {
	if apiErr := validateWebACL(in.Name, in.Scope, in.DefaultAction, in.VisibilityConfig, in.Rules); apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.acls {
		if aws.ToString(a.acl.Name) == aws.ToString(in.Name) && a.scope == in.Scope {
			return nil, &APIError{Status: http.StatusBadRequest, Shape: "WAFDuplicateItemException", Message: "AWS WAF couldn't perform the operation because some resource in your request is a duplicate of an existing one."}
		}
	}
	lock := s.nextLock()
	id := fmt.Sprintf("a1b2c3d4-0000-0000-0000-%012d", s.seq)
	region := "regional"
	if in.Scope == types.ScopeCloudfront {
		region = "global"
	}
	arn := fmt.Sprintf("arn:aws:wafv2:us-east-1:123456789012:%s/webacl/%s/%s", region, aws.ToString(in.Name), id)
	a := &storedACL{scope: in.Scope, lock: lock, acl: types.WebACL{
		ARN: aws.String(arn), Id: aws.String(id), Name: in.Name, DefaultAction: in.DefaultAction,
		Description: in.Description, Rules: in.Rules, VisibilityConfig: in.VisibilityConfig,
		Capacity: int64(capacityOf(in.Rules)), LabelNamespace: aws.String("awswaf:123456789012:webacl:" + aws.ToString(in.Name) + ":"),
	}}
	s.acls[id] = a
	return &wafv2.CreateWebACLOutput{Summary: &types.WebACLSummary{ARN: a.acl.ARN, Id: a.acl.Id, Name: a.acl.Name, LockToken: aws.String(a.lock)}}, nil
}

func (s *WAFv2) getWebACL(in *wafv2.GetWebACLInput) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, apiErr := s.lookup(in.Id, in.Name, in.Scope)
	if apiErr != nil {
		return nil, apiErr
	}
	acl := a.acl
	return &wafv2.GetWebACLOutput{WebACL: &acl, LockToken: aws.String(a.lock)}, nil
}

func (s *WAFv2) updateWebACL(in *wafv2.UpdateWebACLInput) (any, *APIError) {
	if apiErr := validateWebACL(in.Name, in.Scope, in.DefaultAction, in.VisibilityConfig, in.Rules); apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, apiErr := s.lookup(in.Id, in.Name, in.Scope)
	if apiErr != nil {
		return nil, apiErr
	}
	if aws.ToString(in.LockToken) != a.lock {
		return nil, &APIError{Status: http.StatusBadRequest, Shape: "WAFOptimisticLockException", Message: "AWS WAF couldn't save your changes because you tried to update or delete a resource that has changed since you last retrieved it."}
	}
	a.acl.DefaultAction, a.acl.Description, a.acl.Rules, a.acl.VisibilityConfig = in.DefaultAction, in.Description, in.Rules, in.VisibilityConfig
	a.acl.Capacity = int64(capacityOf(in.Rules))
	a.lock = s.nextLock()
	return &wafv2.UpdateWebACLOutput{NextLockToken: aws.String(a.lock)}, nil
}

func (s *WAFv2) checkCapacity(in *wafv2.CheckCapacityInput) (any, *APIError) {
	if apiErr := validateRules(in.Rules); apiErr != nil {
		return nil, apiErr
	}
	return &wafv2.CheckCapacityOutput{Capacity: int64(capacityOf(in.Rules))}, nil
}

func (s *WAFv2) associateWebACL(in *wafv2.AssociateWebACLInput) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.exists(aws.ToString(in.WebACLArn)) {
		return nil, wafNotFound()
	}
	if !strings.HasPrefix(aws.ToString(in.ResourceArn), "arn:aws:elasticloadbalancing:") {
		return nil, wafInvalid("ResourceArn is not a resource a regional web ACL can protect")
	}
	s.assoc[aws.ToString(in.ResourceArn)] = aws.ToString(in.WebACLArn)
	return &wafv2.AssociateWebACLOutput{}, nil
}

func (s *WAFv2) getWebACLForResource(in *wafv2.GetWebACLForResourceInput) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	arn, ok := s.assoc[aws.ToString(in.ResourceArn)]
	if !ok {
		return &wafv2.GetWebACLForResourceOutput{}, nil
	}
	for _, a := range s.acls {
		if aws.ToString(a.acl.ARN) == arn {
			acl := a.acl
			return &wafv2.GetWebACLForResourceOutput{WebACL: &acl}, nil
		}
	}
	return &wafv2.GetWebACLForResourceOutput{}, nil
}

func (s *WAFv2) putLoggingConfiguration(in *wafv2.PutLoggingConfigurationInput) (any, *APIError) {
	lc := in.LoggingConfiguration
	if lc == nil || len(lc.LogDestinationConfigs) != 1 {
		return nil, wafInvalid("LoggingConfiguration needs exactly one LogDestinationConfigs entry")
	}
	if d := lc.LogDestinationConfigs[0]; strings.Contains(d, ":logs:") && !strings.Contains(d, ":log-group:aws-waf-logs-") {
		return nil, wafInvalid("the log group name must start with aws-waf-logs-")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	arn := aws.ToString(lc.ResourceArn)
	if !s.exists(arn) {
		return nil, wafNotFound()
	}
	s.logging[arn] = *lc
	return &wafv2.PutLoggingConfigurationOutput{LoggingConfiguration: lc}, nil
}

func (s *WAFv2) getLoggingConfiguration(in *wafv2.GetLoggingConfigurationInput) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lc, ok := s.logging[aws.ToString(in.ResourceArn)]
	if !ok {
		return nil, wafNotFound()
	}
	return &wafv2.GetLoggingConfigurationOutput{LoggingConfiguration: &lc}, nil
}

func wafThrottle(status int) *APIError {
	return &APIError{Status: status, Shape: "ThrottlingException", Message: "Rate exceeded"}
}

func wafInternal(status int) *APIError {
	return &APIError{Status: status, Shape: "WAFInternalErrorException", Message: "injected server error"}
}

func wafInvalid(msg string) *APIError {
	return &APIError{Status: http.StatusBadRequest, Shape: "WAFInvalidParameterException", Message: msg}
}

func wafNotFound() *APIError {
	return &APIError{Status: http.StatusBadRequest, Shape: "WAFNonexistentItemException", Message: "AWS WAF couldn't perform the operation because your resource doesn't exist."}
}

// validateWebACL checks a web ACL as CreateWebACL and UpdateWebACL do.
func validateWebACL(name *string, scope types.Scope, def *types.DefaultAction, vis *types.VisibilityConfig, rules []types.Rule) *APIError {
	switch {
	case aws.ToString(name) == "":
		return wafInvalid("Name is required")
	case scope != types.ScopeRegional && scope != types.ScopeCloudfront:
		return wafInvalid("Scope must be REGIONAL or CLOUDFRONT")
	case def == nil || (def.Allow == nil) == (def.Block == nil):
		return wafInvalid("DefaultAction needs exactly one of Allow and Block")
	case vis == nil || aws.ToString(vis.MetricName) == "":
		return wafInvalid("VisibilityConfig with a MetricName is required")
	}
	if apiErr := validateRules(rules); apiErr != nil {
		return apiErr
	}
	if c := capacityOf(rules); c > 5000 {
		return &APIError{Status: http.StatusBadRequest, Shape: "WAFLimitsExceededException", Message: "capacity " + strconv.Itoa(c) + " is over the web ACL limit of 5000"}
	}
	return nil
}

func validateRules(rules []types.Rule) *APIError {
	names, prios := map[string]bool{}, map[int32]bool{}
	for _, r := range rules {
		n := aws.ToString(r.Name)
		switch {
		case n == "" || names[n]:
			return wafInvalid(fmt.Sprintf("rule name %q is empty or not unique", n))
		case prios[r.Priority]:
			return wafInvalid(fmt.Sprintf("rule %s: priority %d is not unique", n, r.Priority))
		case r.VisibilityConfig == nil || aws.ToString(r.VisibilityConfig.MetricName) == "":
			return wafInvalid("rule " + n + ": VisibilityConfig with a MetricName is required")
		case r.Statement == nil:
			return wafInvalid("rule " + n + ": Statement is required")
		}
		names[n], prios[r.Priority] = true, true
		group := r.Statement.ManagedRuleGroupStatement != nil || r.Statement.RuleGroupReferenceStatement != nil
		if group != (r.OverrideAction != nil) || group == (r.Action != nil) {
			return wafInvalid("rule " + n + ": a rule group takes OverrideAction, any other rule Action")
		}
		if msg := checkStatement(r.Statement); msg != "" {
			return wafInvalid("rule " + n + ": " + msg)
		}
	}
	return nil
}

// checkStatement returns what is wrong with st, or "".
func checkStatement(st *types.Statement) string {
	v := reflect.ValueOf(st).Elem()
	set := 0
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Pointer && !f.IsNil() {
			set++
		}
	}
	if set != 1 {
		return fmt.Sprintf("a statement needs exactly one member, has %d", set)
	}
	switch {
	case st.RegexMatchStatement != nil:
		re := st.RegexMatchStatement
		if n := len(aws.ToString(re.RegexString)); n == 0 || n > 512 {
			return fmt.Sprintf("RegexString of %d bytes (1 to 512)", n)
		}
		if re.FieldToMatch == nil || len(re.TextTransformations) == 0 {
			return "RegexMatchStatement needs FieldToMatch and TextTransformations"
		}
	case st.ByteMatchStatement != nil:
		if len(st.ByteMatchStatement.SearchString) == 0 || st.ByteMatchStatement.FieldToMatch == nil {
			return "ByteMatchStatement needs SearchString and FieldToMatch"
		}
	case st.OrStatement != nil:
		if len(st.OrStatement.Statements) < 2 {
			return "OrStatement needs at least two statements"
		}
		for i := range st.OrStatement.Statements {
			if msg := checkStatement(&st.OrStatement.Statements[i]); msg != "" {
				return msg
			}
		}
	case st.NotStatement != nil:
		if st.NotStatement.Statement == nil {
			return "NotStatement needs a Statement"
		}
		return checkStatement(st.NotStatement.Statement)
	case st.RateBasedStatement != nil:
		rb := st.RateBasedStatement
		if aws.ToInt64(rb.Limit) < 10 {
			return "RateBasedStatement Limit must be at least 10"
		}
		if rb.AggregateKeyType == types.RateBasedStatementAggregateKeyTypeForwardedIp && rb.ForwardedIPConfig == nil {
			return "AggregateKeyType FORWARDED_IP needs ForwardedIPConfig"
		}
	case st.GeoMatchStatement != nil:
		if len(st.GeoMatchStatement.CountryCodes) == 0 {
			return "GeoMatchStatement needs CountryCodes"
		}
	}
	return ""
}

// managedWCU is the published capacity of AWS managed rule groups.
var managedWCU = map[string]int{
	"AWSManagedRulesCommonRuleSet": 700, "AWSManagedRulesKnownBadInputsRuleSet": 200,
	"AWSManagedRulesAmazonIpReputationList": 25, "AWSManagedRulesLinuxRuleSet": 200,
	"AWSManagedRulesUnixRuleSet": 100, "AWSManagedRulesPHPRuleSet": 100,
	"AWSManagedRulesSQLiRuleSet": 200, "AWSManagedRulesAnonymousIpList": 50,
}

// capacityOf counts WCUs as the AWS WAF Developer Guide documents them.
func capacityOf(rules []types.Rule) int {
	n := 0
	for i := range rules {
		n += stmtWCU(rules[i].Statement)
	}
	return n
}

func stmtWCU(st *types.Statement) int {
	if st == nil {
		return 0
	}
	tt := func(ts []types.TextTransformation) int {
		n := 0
		for _, t := range ts {
			if t.Type != types.TextTransformationTypeNone {
				n += 10
			}
		}
		return n
	}
	sum := func(sts []types.Statement) int {
		n := 0
		for i := range sts {
			n += stmtWCU(&sts[i])
		}
		return n
	}
	switch {
	case st.RegexMatchStatement != nil:
		return 3 + tt(st.RegexMatchStatement.TextTransformations)
	case st.ByteMatchStatement != nil:
		switch st.ByteMatchStatement.PositionalConstraint {
		case types.PositionalConstraintContains, types.PositionalConstraintContainsWord:
			return 10 + tt(st.ByteMatchStatement.TextTransformations)
		}
		return 2 + tt(st.ByteMatchStatement.TextTransformations)
	case st.GeoMatchStatement != nil:
		return 1
	case st.RateBasedStatement != nil:
		return 2 + stmtWCU(st.RateBasedStatement.ScopeDownStatement)
	case st.OrStatement != nil:
		return sum(st.OrStatement.Statements)
	case st.AndStatement != nil:
		return sum(st.AndStatement.Statements)
	case st.NotStatement != nil:
		return stmtWCU(st.NotStatement.Statement)
	case st.ManagedRuleGroupStatement != nil:
		return managedWCU[aws.ToString(st.ManagedRuleGroupStatement.Name)]
	}
	return 0
}
