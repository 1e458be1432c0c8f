package awstest

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
)

// elbNamespace is the XML namespace of Elastic Load Balancing v2 answers.
const elbNamespace = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"

// ELBv2 is an Elastic Load Balancing (v2) API test server speaking the AWS
// query protocol as aws-sdk-go-v2/service/elasticloadbalancingv2 sends it
// (form-encoded requests, XML answers). It serves DescribeLoadBalancers,
// DescribeLoadBalancerAttributes and ModifyLoadBalancerAttributes for the
// load balancers added with AddLoadBalancer. Fault injection and request
// counting are promoted from the embedded injector. All methods are safe
// for concurrent use.
type ELBv2 struct {
	server

	mu  sync.Mutex
	lbs []*loadBalancer
}

type loadBalancer struct {
	name, arn, typ string
	attrs          map[string]string
}

// NewELBv2 starts an ELBv2 test server on 127.0.0.1; it is closed when the
// test ends.
func NewELBv2(tb testing.TB) *ELBv2 {
	tb.Helper()
	s := &ELBv2{}
	s.start(tb, s.serveHTTP)
	return s
}

// Client returns an elasticloadbalancingv2 SDK client pointed at the server.
func (s *ELBv2) Client(opts ...ClientOption) *elb.Client {
	return elb.NewFromConfig(AWSConfig(opts...), func(o *elb.Options) { o.BaseEndpoint = aws.String(s.URL) })
}

// AddLoadBalancer adds a load balancer of type typ ("application",
// "network") with access logs off and returns its ARN.
func (s *ELBv2) AddLoadBalancer(name, typ string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	short := map[string]string{"application": "app", "network": "net"}[typ]
	arn := fmt.Sprintf("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/%s/%s/50dc6c495c0c%04d", short, name, len(s.lbs))
	s.lbs = append(s.lbs, &loadBalancer{name: name, arn: arn, typ: typ, attrs: map[string]string{
		"access_logs.s3.enabled": "false", "access_logs.s3.bucket": "", "access_logs.s3.prefix": "",
		"idle_timeout.timeout_seconds": "60", "deletion_protection.enabled": "false",
	}})
	return arn
}

// Attributes returns a copy of a load balancer's attributes.
func (s *ELBv2) Attributes(arn string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, lb := range s.lbs {
		if lb.arn == arn {
			out := map[string]string{}
			for k, v := range lb.attrs {
				out[k] = v
			}
			return out
		}
	}
	return nil
}

func (s *ELBv2) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil || r.Method != http.MethodPost {
		writeQueryError(w, elbInvalid("want a POST with a form body"))
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeQueryError(w, elbInvalid(fmt.Sprintf("%v: %v", ErrDecode, err)))
		return
	}
	op := form.Get("Action")
	if form.Get("Version") != "2015-12-01" {
		writeQueryError(w, elbInvalid("Version must be 2015-12-01"))
		return
	}
	ft, release := s.admit(op)
	if apiErr := applyFault(r, ft, release, elbThrottle, elbInternal); apiErr != nil {
		writeQueryError(w, apiErr)
		return
	}
	var result string
	var apiErr *APIError
	switch op {
	case "DescribeLoadBalancers":
		result, apiErr = s.describeLoadBalancers(form)
	case "DescribeLoadBalancerAttributes":
		result, apiErr = s.describeAttributes(form)
	case "ModifyLoadBalancerAttributes":
		result, apiErr = s.modifyAttributes(form)
	default:
		apiErr = &APIError{Status: http.StatusBadRequest, Shape: "InvalidAction", Message: "action " + op + " is not served by awstest"}
	}
	if apiErr != nil {
		writeQueryError(w, apiErr)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<%sResponse xmlns="%s"><%sResult>%s</%sResult><ResponseMetadata><RequestId>awstest</RequestId></ResponseMetadata></%sResponse>`,
		op, elbNamespace, op, result, op, op)
}

// members returns the values of a query-protocol list: NAME.member.1 ...
func members(form url.Values, name string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := form[name+".member."+strconv.Itoa(i)]
		if !ok {
			return out
		}
		out = append(out, v...)
	}
}

func (s *ELBv2) find(arn string) *loadBalancer {
	for _, lb := range s.lbs {
		if lb.arn == arn {
			return lb
		}
	}
	return nil
}

func (s *ELBv2) describeLoadBalancers(form url.Values) (string, *APIError) {
	names, arns := members(form, "Names"), members(form, "LoadBalancerArns")
	if len(names) > 0 && len(arns) > 0 {
		return "", elbInvalid("Names and LoadBalancerArns cannot be given together")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	b.WriteString("<LoadBalancers>")
	found := 0
	for _, lb := range s.lbs {
		if len(names) > 0 && !slices.Contains(names, lb.name) || len(arns) > 0 && !slices.Contains(arns, lb.arn) {
			continue
		}
		found++
		fmt.Fprintf(&b, "<member><LoadBalancerArn>%s</LoadBalancerArn><LoadBalancerName>%s</LoadBalancerName><Type>%s</Type><Scheme>internet-facing</Scheme><State><Code>active</Code></State></member>",
			xmlText(lb.arn), xmlText(lb.name), lb.typ)
	}
	b.WriteString("</LoadBalancers>")
	if want := len(names) + len(arns); want > 0 && found < want {
		return "", &APIError{Status: http.StatusBadRequest, Shape: "LoadBalancerNotFound", Message: "One or more load balancers not found", Fault: "Sender"}
	}
	return b.String(), nil
}

func (s *ELBv2) describeAttributes(form url.Values) (string, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lb := s.find(form.Get("LoadBalancerArn"))
	if lb == nil {
		return "", &APIError{Status: http.StatusBadRequest, Shape: "LoadBalancerNotFound", Message: "Load balancer not found", Fault: "Sender"}
	}
	return attributesXML(lb.attrs), nil
}

func (s *ELBv2) modifyAttributes(form url.Values) (string, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lb := s.find(form.Get("LoadBalancerArn"))
	if lb == nil {
		return "", &APIError{Status: http.StatusBadRequest, Shape: "LoadBalancerNotFound", Message: "Load balancer not found", Fault: "Sender"}
	}
	changed := map[string]string{}
	for i := 1; ; i++ {
		p := "Attributes.member." + strconv.Itoa(i)
		k, ok := form[p+".Key"]
		if !ok {
			break
		}
		if _, known := lb.attrs[k[0]]; !known {
			return "", elbInvalid("unknown attribute " + k[0])
		}
		changed[k[0]] = form.Get(p + ".Value")
	}
	if len(changed) == 0 {
		return "", elbInvalid("Attributes is required")
	}
	if changed["access_logs.s3.enabled"] == "true" && changed["access_logs.s3.bucket"] == "" && lb.attrs["access_logs.s3.bucket"] == "" {
		return "", elbInvalid("The value of 'access_logs.s3.bucket' cannot be empty when access logs are enabled")
	}
	for k, v := range changed {
		lb.attrs[k] = v
	}
	return attributesXML(changed), nil
}

func attributesXML(attrs map[string]string) string {
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString("<Attributes>")
	for _, k := range keys {
		fmt.Fprintf(&b, "<member><Key>%s</Key><Value>%s</Value></member>", xmlText(k), xmlText(attrs[k]))
	}
	b.WriteString("</Attributes>")
	return b.String()
}

func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// writeQueryError answers in the AWS query error shape.
func writeQueryError(w http.ResponseWriter, e *APIError) {
	fault := e.Fault
	if fault == "" {
		fault = "Sender"
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.Status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>awstest</RequestId></ErrorResponse>`,
		elbNamespace, fault, e.Shape, xmlText(e.Message))
}

func elbThrottle(status int) *APIError {
	return &APIError{Status: status, Shape: "Throttling", Message: "Rate exceeded"}
}

func elbInternal(status int) *APIError {
	return &APIError{Status: status, Shape: "InternalFailure", Message: "injected server error", Fault: "Receiver"}
}

func elbInvalid(msg string) *APIError {
	return &APIError{Status: http.StatusBadRequest, Shape: "ValidationError", Message: msg}
}
