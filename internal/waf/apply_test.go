package waf

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"

	"github.com/voicewatch/voicewatch/internal/awstest"
)

var mediaCoreRoutes = []string{"/", "/static/**", "/whip", "/whip/*", "/whip/*/events", "/metrics", "/-/healthy", "/-/ready"}

const logGroupARN = "arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-voicewatch"

type env struct {
	waf    *awstest.WAFv2
	elb    *awstest.ELBv2
	albARN string
	app    *Applier
}

func newEnv(t *testing.T, opts ...awstest.ClientOption) *env {
	t.Helper()
	e := &env{waf: awstest.NewWAFv2(t), elb: awstest.NewELBv2(t)}
	e.albARN = e.elb.AddLoadBalancer("voicebot-alb", "application")
	e.app = NewApplier(e.waf.Client(opts...), e.elb.Client(opts...), nil)
	return e
}

func mustBuild(t *testing.T, cfg Config) *Plan {
	t.Helper()
	p, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// writes counts the requests that change something.
func (e *env) writes() int {
	n := 0
	for _, op := range []string{"CreateWebACL", "UpdateWebACL", "AssociateWebACL", "PutLoggingConfiguration"} {
		n += e.waf.Requests(op)
	}
	return n + e.elb.Requests("ModifyLoadBalancerAttributes")
}

func actions(r *Result) string {
	var parts []string
	for _, c := range r.Changes {
		parts = append(parts, c.What+":"+c.Action)
	}
	return strings.Join(parts, ",")
}

// TestApplyIsIdempotent: the first apply creates the web ACL, its logging,
// the ALB association and the ALB's access logs; the second writes
// nothing and says so.
func TestApplyIsIdempotent(t *testing.T) {
	e := newEnv(t)
	plan := mustBuild(t, Config{Routes: mediaCoreRoutes, LogDestinationARN: logGroupARN, GeoCountCountries: []string{"CN", "RU"}})
	target := Target{ALB: "voicebot-alb", AccessLogs: "s3://voicebot-logs/alb"}
	res, err := e.app.Apply(t.Context(), plan, target, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := actions(res), "web ACL:create,logging:create,association:associate,access logs:update"; got != want {
		t.Errorf("first apply: %s, want %s", got, want)
	}
	if res.ServiceCapacity != plan.Capacity {
		t.Errorf("the service counts %d WCUs, Build %d", res.ServiceCapacity, plan.Capacity)
	}
	acl, _, ok := e.waf.WebACL("voicewatch")
	if !ok || len(acl.Rules) != len(plan.WebACL.Rules) {
		t.Fatalf("stored web ACL: %v, %d rules", ok, len(acl.Rules))
	}
	if got := e.waf.Association(e.albARN); got != aws.ToString(acl.ARN) {
		t.Errorf("ALB associated with %q, want %q", got, aws.ToString(acl.ARN))
	}
	if lc, ok := e.waf.Logging(aws.ToString(acl.ARN)); !ok || lc.LogDestinationConfigs[0] != logGroupARN || len(lc.RedactedFields) != 2 {
		t.Errorf("logging configuration %+v", lc)
	}
	attrs := e.elb.Attributes(e.albARN)
	if attrs["access_logs.s3.enabled"] != "true" || attrs["access_logs.s3.bucket"] != "voicebot-logs" || attrs["access_logs.s3.prefix"] != "alb" {
		t.Errorf("ALB attributes %v", attrs)
	}
	writes := e.writes()
	for _, dry := range []bool{false, true} {
		res, err = e.app.Apply(t.Context(), plan, Target{ALB: e.albARN, AccessLogs: "s3://voicebot-logs/alb/"}, dry)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := actions(res), "web ACL:no change,logging:no change,association:no change,access logs:no change"; got != want {
			t.Errorf("apply again (dry run %v): %s, want %s", dry, got, want)
		}
		var out bytes.Buffer
		if err := res.Report(&out); err != nil || !strings.Contains(out.String(), "no changes") {
			t.Errorf("report %q (%v), want it to say no changes", out.String(), err)
		}
	}
	if e.writes() != writes {
		t.Errorf("%d writes after the first apply, want none", e.writes()-writes)
	}
}

// TestApplyDryRunWritesNothing: a dry run against an empty account
// reports every change and sends no write.
func TestApplyDryRunWritesNothing(t *testing.T) {
	e := newEnv(t)
	plan := mustBuild(t, Config{Routes: mediaCoreRoutes, LogDestinationARN: logGroupARN})
	res, err := e.app.Apply(t.Context(), plan, Target{ALB: "voicebot-alb", AccessLogs: "s3://b/p"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := actions(res), "web ACL:create,logging:create,association:associate,access logs:update"; got != want {
		t.Errorf("dry run: %s, want %s", got, want)
	}
	if e.writes() != 0 {
		t.Errorf("dry run sent %d writes", e.writes())
	}
}

// TestApplyUpdatesAChangedACL: a changed config updates the web ACL in
// place, also when someone else changed it between read and write (the
// lock token went stale).
func TestApplyUpdatesAChangedACL(t *testing.T) {
	e := newEnv(t)
	if _, err := e.app.Apply(t.Context(), mustBuild(t, Config{}), Target{}, false); err != nil {
		t.Fatal(err)
	}
	plan := mustBuild(t, Config{RateLimit: 500})
	// The first UpdateWebACL gets a stale token: someone touches the ACL
	// right after our GetWebACL.
	touched := false
	app := NewApplier(touchingWAF{WAFAPI: e.waf.Client(), touch: func() {
		if !touched {
			touched = true
			e.waf.Touch("voicewatch")
		}
	}}, nil, nil)
	res, err := app.Apply(t.Context(), plan, Target{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(res); got != "web ACL:update" {
		t.Errorf("apply: %s, want web ACL:update", got)
	}
	if n := e.waf.Requests("UpdateWebACL"); n != 2 {
		t.Errorf("%d UpdateWebACL requests, want 2 (one stale, one after reading again)", n)
	}
	acl, _, _ := e.waf.WebACL("voicewatch")
	for _, r := range acl.Rules {
		if rb := r.Statement.RateBasedStatement; rb != nil && aws.ToInt64(rb.Limit) != 500 {
			t.Errorf("rate limit %d, want 500", aws.ToInt64(rb.Limit))
		}
	}
}

// touchingWAF calls touch after every GetWebACL.
type touchingWAF struct {
	WAFAPI
	touch func()
}

func (w touchingWAF) GetWebACL(ctx context.Context, in *wafv2.GetWebACLInput, opts ...func(*wafv2.Options)) (*wafv2.GetWebACLOutput, error) {
	out, err := w.WAFAPI.GetWebACL(ctx, in, opts...)
	w.touch()
	return out, err
}

// TestApplySurvivesThrottling: throttled requests are retried by the SDK;
// a server error that outlasts the retries names the operation.
func TestApplySurvivesThrottling(t *testing.T) {
	e := newEnv(t)
	e.waf.ThrottleNext(2)
	e.elb.ThrottleNext(1)
	if _, err := e.app.Apply(t.Context(), mustBuild(t, Config{}), Target{ALB: "voicebot-alb", AccessLogs: "s3://b/p"}, false); err != nil {
		t.Fatalf("apply with throttling: %v", err)
	}
	e.waf.Inject(awstest.Fault{Kind: awstest.FaultServerError, Op: "GetWebACL", Status: http.StatusInternalServerError})
	_, err := e.app.Apply(t.Context(), mustBuild(t, Config{}), Target{}, false)
	if err == nil || !strings.Contains(err.Error(), "GetWebACL") {
		t.Fatalf("apply with a failing GetWebACL: %v, want an error naming it", err)
	}
}

func TestApplyUnknownALB(t *testing.T) {
	e := newEnv(t)
	_, err := e.app.Apply(t.Context(), mustBuild(t, Config{}), Target{ALB: "no-such-alb"}, false)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	nlb := e.elb.AddLoadBalancer("voicebot-nlb", "network")
	_, err = e.app.Apply(t.Context(), mustBuild(t, Config{}), Target{ALB: nlb}, false)
	if !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("err = %v for a network load balancer, want ErrInvalidConfig", err)
	}
}
