package waf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// WAFAPI is the part of the wafv2 client the Applier uses
// (*wafv2.Client implements it).
type WAFAPI interface {
	ListWebACLs(ctx context.Context, in *wafv2.ListWebACLsInput, optFns ...func(*wafv2.Options)) (*wafv2.ListWebACLsOutput, error)
	GetWebACL(ctx context.Context, in *wafv2.GetWebACLInput, optFns ...func(*wafv2.Options)) (*wafv2.GetWebACLOutput, error)
	CreateWebACL(ctx context.Context, in *wafv2.CreateWebACLInput, optFns ...func(*wafv2.Options)) (*wafv2.CreateWebACLOutput, error)
	UpdateWebACL(ctx context.Context, in *wafv2.UpdateWebACLInput, optFns ...func(*wafv2.Options)) (*wafv2.UpdateWebACLOutput, error)
	CheckCapacity(ctx context.Context, in *wafv2.CheckCapacityInput, optFns ...func(*wafv2.Options)) (*wafv2.CheckCapacityOutput, error)
	GetWebACLForResource(ctx context.Context, in *wafv2.GetWebACLForResourceInput, optFns ...func(*wafv2.Options)) (*wafv2.GetWebACLForResourceOutput, error)
	AssociateWebACL(ctx context.Context, in *wafv2.AssociateWebACLInput, optFns ...func(*wafv2.Options)) (*wafv2.AssociateWebACLOutput, error)
	GetLoggingConfiguration(ctx context.Context, in *wafv2.GetLoggingConfigurationInput, optFns ...func(*wafv2.Options)) (*wafv2.GetLoggingConfigurationOutput, error)
	PutLoggingConfiguration(ctx context.Context, in *wafv2.PutLoggingConfigurationInput, optFns ...func(*wafv2.Options)) (*wafv2.PutLoggingConfigurationOutput, error)
}

// ELBAPI is the part of the elasticloadbalancingv2 client the Applier uses
// (*elasticloadbalancingv2.Client implements it).
type ELBAPI interface {
	DescribeLoadBalancers(ctx context.Context, in *elb.DescribeLoadBalancersInput, optFns ...func(*elb.Options)) (*elb.DescribeLoadBalancersOutput, error)
	DescribeLoadBalancerAttributes(ctx context.Context, in *elb.DescribeLoadBalancerAttributesInput, optFns ...func(*elb.Options)) (*elb.DescribeLoadBalancerAttributesOutput, error)
	ModifyLoadBalancerAttributes(ctx context.Context, in *elb.ModifyLoadBalancerAttributesInput, optFns ...func(*elb.Options)) (*elb.ModifyLoadBalancerAttributesOutput, error)
}

var (
	_ WAFAPI = (*wafv2.Client)(nil)
	_ ELBAPI = (*elb.Client)(nil)
)

// Target says what the web ACL protects and what else Apply sets up.
type Target struct {
	// ALB is the Application Load Balancer to associate, by ARN or by
	// name (REGIONAL scope only). Empty: no association.
	ALB string
	// AccessLogs is s3://BUCKET/PREFIX: Apply turns on the ALB's access
	// logs there (the bucket policy must let the ELB service write).
	// Empty: the access log settings are left alone.
	AccessLogs string
}

// Change is one thing Apply did or, in a dry run, would do.
type Change struct {
	What   string // "web ACL", "logging", "association", "access logs"
	Action string // "create", "update", "associate", "no change"
	Detail string
}

// Result is what Apply did.
type Result struct {
	DryRun    bool
	WebACLARN string
	// Capacity is the web ACL's WCUs as computed locally and, when the
	// service answered CheckCapacity, as the service counts them.
	Capacity, ServiceCapacity int
	Changes                   []Change
}

// Report writes the result for people.
func (r *Result) Report(w io.Writer) error {
	verb := "applied"
	if r.DryRun {
		verb = "dry run, nothing written"
	}
	if _, err := fmt.Fprintf(w, "waf apply (%s): web ACL %s, %d WCUs (service: %d)\n", verb, r.WebACLARN, r.Capacity, r.ServiceCapacity); err != nil {
		return err
	}
	changed := 0
	for _, c := range r.Changes {
		if c.Action != "no change" {
			changed++
		}
		if _, err := fmt.Fprintf(w, "  %-12s %-10s %s\n", c.What, c.Action, c.Detail); err != nil {
			return err
		}
	}
	if changed == 0 {
		_, err := fmt.Fprintln(w, "no changes")
		return err
	}
	return nil
}

// Applier creates or updates the web ACL and what hangs off it. Only what
// differs is written; a second run reports "no changes".
type Applier struct {
	waf WAFAPI
	elb ELBAPI
	log *slog.Logger
}

// NewApplier returns an Applier. elbAPI may be nil when no ALB is given;
// log may be nil.
func NewApplier(wafAPI WAFAPI, elbAPI ELBAPI, log *slog.Logger) *Applier {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Applier{waf: wafAPI, elb: elbAPI, log: log}
}

// Apply makes the account match plan and target. With dryRun it only
// reads and reports what it would change.
func (a *Applier) Apply(ctx context.Context, plan *Plan, target Target, dryRun bool) (*Result, error) {
	res := &Result{DryRun: dryRun, Capacity: plan.Capacity}
	in := plan.WebACL
	cc, err := a.waf.CheckCapacity(ctx, &wafv2.CheckCapacityInput{Rules: in.Rules, Scope: in.Scope})
	if err != nil {
		return res, fmt.Errorf("waf: CheckCapacity: %w", err)
	}
	res.ServiceCapacity = int(cc.Capacity)
	if res.ServiceCapacity > plan.Budget {
		return res, fmt.Errorf("%w: the service counts %d WCUs, budget %d", ErrOverBudget, res.ServiceCapacity, plan.Budget)
	}
	arn, err := a.applyWebACL(ctx, in, res)
	if err != nil {
		return res, err
	}
	res.WebACLARN = arn
	if plan.Logging != nil {
		if err := a.applyLogging(ctx, plan, arn, res); err != nil {
			return res, err
		}
	}
	if target.ALB == "" {
		if target.AccessLogs != "" {
			return res, fmt.Errorf("%w: --alb-access-logs needs --alb", ErrInvalidConfig)
		}
		return res, nil
	}
	if in.Scope != types.ScopeRegional {
		return res, fmt.Errorf("%w: a %s web ACL is attached to a CloudFront distribution, not an ALB", ErrInvalidConfig, in.Scope)
	}
	if a.elb == nil {
		return res, fmt.Errorf("%w: no ELB client", ErrInvalidConfig)
	}
	albARN, err := a.resolveALB(ctx, target.ALB)
	if err != nil {
		return res, err
	}
	if err := a.applyAssociation(ctx, arn, albARN, res); err != nil {
		return res, err
	}
	if target.AccessLogs != "" {
		if err := a.applyAccessLogs(ctx, albARN, target.AccessLogs, res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// findWebACL returns the summary of the web ACL named name, or nil.
func (a *Applier) findWebACL(ctx context.Context, name string, scope types.Scope) (*types.WebACLSummary, error) {
	in := &wafv2.ListWebACLsInput{Scope: scope, Limit: aws.Int32(100)}
	for {
		out, err := a.waf.ListWebACLs(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("waf: ListWebACLs: %w", err)
		}
		for i := range out.WebACLs {
			if aws.ToString(out.WebACLs[i].Name) == name {
				return &out.WebACLs[i], nil
			}
		}
		if aws.ToString(out.NextMarker) == "" || len(out.WebACLs) == 0 {
			return nil, nil
		}
		in.NextMarker = out.NextMarker
	}
}

func (a *Applier) applyWebACL(ctx context.Context, in *wafv2.CreateWebACLInput, res *Result) (string, error) {
	name := aws.ToString(in.Name)
	sum, err := a.findWebACL(ctx, name, in.Scope)
	if err != nil {
		return "", err
	}
	if sum == nil {
		res.Changes = append(res.Changes, Change{"web ACL", "create", fmt.Sprintf("%s (%s, %d rules)", name, in.Scope, len(in.Rules))})
		if res.DryRun {
			return "(new web ACL " + name + ")", nil
		}
		out, err := a.waf.CreateWebACL(ctx, in)
		if err != nil {
			return "", fmt.Errorf("waf: CreateWebACL %s: %w", name, err)
		}
		a.log.Info("web ACL created", "name", name, "arn", aws.ToString(out.Summary.ARN))
		return aws.ToString(out.Summary.ARN), nil
	}
	// An update replaces the whole ACL under the lock token of the version
	// it was compared with; if someone changed it in between, read again.
	for attempt := 0; ; attempt++ {
		got, err := a.waf.GetWebACL(ctx, &wafv2.GetWebACLInput{Name: in.Name, Scope: in.Scope, Id: sum.Id})
		if err != nil {
			return "", fmt.Errorf("waf: GetWebACL %s: %w", name, err)
		}
		arn := aws.ToString(got.WebACL.ARN)
		diff := webACLDiff(in, got.WebACL)
		if diff == "" {
			res.Changes = append(res.Changes, Change{"web ACL", "no change", name})
			return arn, nil
		}
		if attempt == 0 {
			res.Changes = append(res.Changes, Change{"web ACL", "update", name + ": " + diff})
		}
		if res.DryRun {
			return arn, nil
		}
		_, err = a.waf.UpdateWebACL(ctx, &wafv2.UpdateWebACLInput{
			Name: in.Name, Scope: in.Scope, Id: got.WebACL.Id, LockToken: got.LockToken,
			DefaultAction: in.DefaultAction, Description: in.Description, Rules: in.Rules,
			VisibilityConfig: in.VisibilityConfig,
		})
		var stale *types.WAFOptimisticLockException
		if errors.As(err, &stale) && attempt < 2 {
			a.log.Info("web ACL changed while updating; reading it again", "name", name)
			continue
		}
		if err != nil {
			return "", fmt.Errorf("waf: UpdateWebACL %s: %w", name, err)
		}
		a.log.Info("web ACL updated", "name", name, "arn", arn)
		return arn, nil
	}
}

// webACLDiff names the parts of the wanted ACL that the existing one does
// not have ("" when it has them all). Fields the service adds (capacity,
// label namespace ...) are ignored.
func webACLDiff(want *wafv2.CreateWebACLInput, have *types.WebACL) string {
	var diffs []string
	check := func(name string, w, h any) {
		if !subset(shape(w), shape(h)) {
			diffs = append(diffs, name)
		}
	}
	check("default action", want.DefaultAction, have.DefaultAction)
	check("description", want.Description, have.Description)
	check("visibility", want.VisibilityConfig, have.VisibilityConfig)
	if len(want.Rules) != len(have.Rules) {
		diffs = append(diffs, fmt.Sprintf("%d rules, has %d", len(want.Rules), len(have.Rules)))
	} else {
		for i := range want.Rules {
			if !subset(shape(want.Rules[i]), shape(have.Rules[i])) {
				diffs = append(diffs, "rule "+aws.ToString(want.Rules[i].Name))
			}
		}
	}
	return strings.Join(diffs, ", ")
}

// shape turns an SDK value into its JSON data model (maps, slices,
// strings, float64, bools) for comparison.
func shape(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil
	}
	return prune(out)
}

// prune drops nulls, zero numbers, false and empty strings, slices and
// maps: the SDK's zero values, which the service leaves out of its
// answers.
func prune(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if p := prune(e); p == nil {
				delete(t, k)
			} else {
				t[k] = p
			}
		}
		return t
	case []any:
		if len(t) == 0 {
			return nil
		}
		for i := range t {
			t[i] = prune(t[i])
		}
		return t
	case string:
		if t == "" {
			return nil
		}
	case float64:
		if t == 0 {
			return nil
		}
	case bool:
		if !t {
			return nil
		}
	}
	return v
}

// subset reports whether every member of want is in have with the same
// value (lists must have the same length, compared element by element).
func subset(want, have any) bool {
	switch w := want.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range w {
			if !subset(v, h[k]) {
				return false
			}
		}
		return true
	case []any:
		h, ok := have.([]any)
		if !ok || len(h) != len(w) {
			return false
		}
		for i := range w {
			if !subset(w[i], h[i]) {
				return false
			}
		}
		return true
	case nil:
		return true
	}
	return reflect.DeepEqual(want, have)
}

func (a *Applier) applyLogging(ctx context.Context, plan *Plan, aclARN string, res *Result) error {
	want := *plan.Logging.LoggingConfiguration
	want.ResourceArn = aws.String(aclARN)
	action := "create"
	if !strings.HasPrefix(aclARN, "(") { // an existing ACL: compare
		got, err := a.waf.GetLoggingConfiguration(ctx, &wafv2.GetLoggingConfigurationInput{ResourceArn: aws.String(aclARN)})
		var missing *types.WAFNonexistentItemException
		switch {
		case errors.As(err, &missing):
		case err != nil:
			return fmt.Errorf("waf: GetLoggingConfiguration: %w", err)
		case subset(shape(want), shape(got.LoggingConfiguration)):
			res.Changes = append(res.Changes, Change{"logging", "no change", strings.Join(want.LogDestinationConfigs, ",")})
			return nil
		default:
			action = "update"
		}
	}
	res.Changes = append(res.Changes, Change{"logging", action, "to " + strings.Join(want.LogDestinationConfigs, ",")})
	if res.DryRun {
		return nil
	}
	if _, err := a.waf.PutLoggingConfiguration(ctx, &wafv2.PutLoggingConfigurationInput{LoggingConfiguration: &want}); err != nil {
		return fmt.Errorf("waf: PutLoggingConfiguration: %w", err)
	}
	return nil
}

// resolveALB returns the ARN of the load balancer named or identified by alb.
func (a *Applier) resolveALB(ctx context.Context, alb string) (string, error) {
	in := &elb.DescribeLoadBalancersInput{Names: []string{alb}}
	if strings.HasPrefix(alb, "arn:") {
		in = &elb.DescribeLoadBalancersInput{LoadBalancerArns: []string{alb}}
	}
	out, err := a.elb.DescribeLoadBalancers(ctx, in)
	var nf *elbtypes.LoadBalancerNotFoundException
	if errors.As(err, &nf) || err == nil && len(out.LoadBalancers) == 0 {
		return "", fmt.Errorf("%w: load balancer %q", ErrNotFound, alb)
	}
	if err != nil {
		return "", fmt.Errorf("elbv2: DescribeLoadBalancers %s: %w", alb, err)
	}
	lb := out.LoadBalancers[0]
	if lb.Type != "" && lb.Type != elbtypes.LoadBalancerTypeEnumApplication {
		return "", fmt.Errorf("%w: %s is a %s load balancer; AWS WAF protects Application Load Balancers", ErrInvalidConfig, alb, lb.Type)
	}
	return aws.ToString(lb.LoadBalancerArn), nil
}

func (a *Applier) applyAssociation(ctx context.Context, aclARN, albARN string, res *Result) error {
	if !strings.HasPrefix(aclARN, "(") {
		got, err := a.waf.GetWebACLForResource(ctx, &wafv2.GetWebACLForResourceInput{ResourceArn: aws.String(albARN)})
		if err != nil {
			return fmt.Errorf("waf: GetWebACLForResource %s: %w", albARN, err)
		}
		if got.WebACL != nil && aws.ToString(got.WebACL.ARN) == aclARN {
			res.Changes = append(res.Changes, Change{"association", "no change", albARN})
			return nil
		}
	}
	res.Changes = append(res.Changes, Change{"association", "associate", albARN})
	if res.DryRun {
		return nil
	}
	if _, err := a.waf.AssociateWebACL(ctx, &wafv2.AssociateWebACLInput{WebACLArn: aws.String(aclARN), ResourceArn: aws.String(albARN)}); err != nil {
		return fmt.Errorf("waf: AssociateWebACL %s: %w", albARN, err)
	}
	return nil
}

// ParseS3URL splits s3://BUCKET/PREFIX (the prefix may be empty).
func ParseS3URL(s string) (bucket, prefix string, err error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return "", "", fmt.Errorf("%w: %q is not s3://BUCKET/PREFIX", ErrInvalidConfig, s)
	}
	return u.Host, strings.Trim(u.Path, "/"), nil
}

func (a *Applier) applyAccessLogs(ctx context.Context, albARN, dest string, res *Result) error {
	bucket, prefix, err := ParseS3URL(dest)
	if err != nil {
		return err
	}
	want := map[string]string{"access_logs.s3.enabled": "true", "access_logs.s3.bucket": bucket, "access_logs.s3.prefix": prefix}
	out, err := a.elb.DescribeLoadBalancerAttributes(ctx, &elb.DescribeLoadBalancerAttributesInput{LoadBalancerArn: aws.String(albARN)})
	if err != nil {
		return fmt.Errorf("elbv2: DescribeLoadBalancerAttributes: %w", err)
	}
	have := map[string]string{}
	for _, at := range out.Attributes {
		have[aws.ToString(at.Key)] = aws.ToString(at.Value)
	}
	var attrs []elbtypes.LoadBalancerAttribute
	for _, k := range []string{"access_logs.s3.enabled", "access_logs.s3.bucket", "access_logs.s3.prefix"} {
		if have[k] != want[k] {
			attrs = append(attrs, elbtypes.LoadBalancerAttribute{Key: aws.String(k), Value: aws.String(want[k])})
		}
	}
	if len(attrs) == 0 {
		res.Changes = append(res.Changes, Change{"access logs", "no change", dest})
		return nil
	}
	res.Changes = append(res.Changes, Change{"access logs", "update", "to " + dest})
	if res.DryRun {
		return nil
	}
	if _, err := a.elb.ModifyLoadBalancerAttributes(ctx, &elb.ModifyLoadBalancerAttributesInput{LoadBalancerArn: aws.String(albARN), Attributes: attrs}); err != nil {
		return fmt.Errorf("elbv2: ModifyLoadBalancerAttributes: %w", err)
	}
	return nil
}
