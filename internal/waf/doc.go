// Package waf builds voicewatch's AWS WAF (wafv2) web ACL as code and
// applies it idempotently.
//
// The web ACL blocks at the edge what the media core's HTTP guard
// (internal/httpguard) rejects in the application: its custom rules are
// generated from the guard's signature table (httpguard.DecodedRegexps) and
// route allow-list (httpguard.Routes.Regexp), next to AWS managed rule
// groups, a rate-based rule per client IP and an optional geographic rule in
// Count mode. Every rule publishes CloudWatch metrics (namespace AWS/WAFV2,
// metric name = rule name) and sampled requests.
//
// [Build] returns a [Plan]: the CreateWebACL input, the
// PutLoggingConfiguration input and the WCU (web ACL capacity unit) count.
// [Plan.Export] writes the inputs as the JSON the AWS SDK sends, usable
// with `aws wafv2 create-web-acl --cli-input-json file://...`. [Applier]
// creates or updates the web ACL, its logging and its association with an
// Application Load Balancer, and turns on the balancer's access logs,
// writing only what differs.
package waf
