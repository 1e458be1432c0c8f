package waf

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/voicewatch/voicewatch/internal/yamlenv"
)

// Defaults applied by Config.WithDefaults to zero-valued fields.
const (
	DefaultName              = "voicewatch"
	DefaultScope             = ScopeRegional
	DefaultRateLimit         = 2000
	DefaultRateWindowSeconds = 300
	// DefaultWCUBudget is the capacity a web ACL gets at the base price;
	// AWS charges more above it (up to MaxWCU).
	DefaultWCUBudget = 1500
	// MaxWCU is the hard limit of a web ACL's capacity.
	MaxWCU = 5000
)

// Scopes of a web ACL.
const (
	// ScopeRegional protects an Application Load Balancer (or API Gateway).
	ScopeRegional = "REGIONAL"
	// ScopeCloudFront protects a CloudFront distribution; it must be
	// managed from us-east-1.
	ScopeCloudFront = "CLOUDFRONT"
)

// OptionalRuleSets are the AWS managed rule groups that can be added with
// Config.ExtraRuleSets, by short name.
var OptionalRuleSets = []string{"linux", "unix", "php"}

// Config describes the web ACL. The zero value of every field is its
// default.
type Config struct {
	// Name of the web ACL; also the prefix of rule names and CloudWatch
	// metric names. Default "voicewatch".
	Name string `yaml:"name"`
	// Scope is REGIONAL (an ALB; default) or CLOUDFRONT (a distribution).
	Scope string `yaml:"scope"`
	// BehindCloudFront makes the rate-based and geographic rules key on
	// the client address in X-Forwarded-For instead of the TCP source (a
	// REGIONAL web ACL on an ALB behind CloudFront sees CloudFront's
	// addresses). Default false.
	BehindCloudFront bool `yaml:"behind_cloudfront"`
	// RateLimit is the number of requests one client IP may send per
	// RateWindowSeconds before the rate-based rule blocks it. Default 2000.
	RateLimit int64 `yaml:"rate_limit"`
	// RateWindowSeconds is the rate-based rule's window: 60, 120, 300 or
	// 600. Default 300.
	RateWindowSeconds int64 `yaml:"rate_window_seconds"`
	// ExtraRuleSets adds AWS managed rule groups: linux, unix, php.
	// Default none.
	ExtraRuleSets []string `yaml:"extra_rule_sets"`
	// GeoCountCountries are ISO 3166 alpha-2 country codes counted (never
	// blocked) by a geographic rule, to see how much traffic comes from
	// where before deciding to block. Default none: no geographic rule.
	GeoCountCountries []string `yaml:"geo_count_countries"`
	// Routes are the paths the application serves (httpguard route globs);
	// a request for any other path is blocked. Default none: no route rule.
	Routes []string `yaml:"routes"`
	// LogDestinationARN is where WAF logs go: a CloudWatch Logs group (its
	// name must start with aws-waf-logs-), an S3 bucket or a Firehose
	// stream. Default none: no logging configuration.
	LogDestinationARN string `yaml:"log_destination_arn"`
	// WCUBudget is the most WCUs Build accepts. Default 1500 (the base
	// price); at most 5000.
	WCUBudget int `yaml:"wcu_budget"`
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	c.Name = cmp.Or(c.Name, DefaultName)
	c.Scope = cmp.Or(c.Scope, DefaultScope)
	c.RateLimit = cmp.Or(c.RateLimit, DefaultRateLimit)
	c.RateWindowSeconds = cmp.Or(c.RateWindowSeconds, DefaultRateWindowSeconds)
	c.WCUBudget = cmp.Or(c.WCUBudget, DefaultWCUBudget)
	return c
}

var (
	validName    = regexp.MustCompile(`^[\w-]{1,100}$`)
	validCountry = regexp.MustCompile(`^[A-Z]{2}$`)
)

// Validate reports every problem in c, each wrapping ErrInvalidConfig and
// naming the field. Zero fields are valid (they take defaults), so it
// gives the same answer before and after WithDefaults.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, a...)...))
	}
	if c.Name != "" && !validName.MatchString(c.Name) {
		bad("name %q: use 1-100 letters, digits, '_' or '-'", c.Name)
	}
	if c.Scope != "" && c.Scope != ScopeRegional && c.Scope != ScopeCloudFront {
		bad("scope %q: want REGIONAL (an ALB) or CLOUDFRONT (a distribution)", c.Scope)
	}
	if c.RateLimit != 0 && (c.RateLimit < 10 || c.RateLimit > 2_000_000_000) {
		bad("rate_limit %d: AWS accepts 10 to 2,000,000,000 requests per window", c.RateLimit)
	}
	if w := c.RateWindowSeconds; w != 0 && !slices.Contains([]int64{60, 120, 300, 600}, w) {
		bad("rate_window_seconds %d: want 60, 120, 300 or 600", w)
	}
	for _, s := range c.ExtraRuleSets {
		if !slices.Contains(OptionalRuleSets, s) {
			bad("extra_rule_sets: %q is not one of %s", s, strings.Join(OptionalRuleSets, ", "))
		}
	}
	for _, cc := range c.GeoCountCountries {
		if !validCountry.MatchString(cc) {
			bad("geo_count_countries: %q is not an ISO 3166 alpha-2 code such as DE or US", cc)
		}
	}
	if a := c.LogDestinationARN; a != "" {
		switch {
		case !strings.HasPrefix(a, "arn:"):
			bad("log_destination_arn %q is not an ARN", a)
		case strings.Contains(a, ":logs:") && !strings.Contains(a, ":log-group:aws-waf-logs-"):
			bad("log_destination_arn %q: AWS WAF only logs to a log group whose name starts with aws-waf-logs-", a)
		}
	}
	if c.WCUBudget < 0 || c.WCUBudget > MaxWCU {
		bad("wcu_budget %d: at most %d", c.WCUBudget, MaxWCU)
	}
	return errors.Join(errs...)
}

// LoadConfig decodes a YAML configuration strictly (unknown fields are
// errors), applies defaults and validates it.
func LoadConfig(r io.Reader) (Config, error) {
	return yamlenv.Load[Config](r, func(err error) error { return fmt.Errorf("%w: %w", ErrInvalidConfig, err) })
}
