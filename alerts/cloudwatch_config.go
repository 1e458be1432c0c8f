package alerts

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/voicewatch/voicewatch/internal/slo"
)

// CloudWatchConfig names the AWS resources the CloudWatch alarms watch. The
// defaults are placeholders that match the incident's deployment; set them
// to your resource names.
type CloudWatchConfig struct {
	// AlarmPrefix prefixes every alarm and metric filter name. Default
	// "voicewatch-".
	AlarmPrefix string `yaml:"alarm_prefix"`
	// CloudWatch holds namespace, service and environment: where the
	// sidecar publishes, as the alarms select it (shared with the
	// CloudWatch dashboard; package slo). Defaults "VoiceWatch",
	// "voicewatch" and "production".
	slo.CloudWatch `yaml:",inline"`
	// LogNamespace is where the log metric filters publish. Default
	// "VoiceBot/Logs".
	LogNamespace string `yaml:"log_namespace"`
	// VoiceLogGroup holds the media core's JSON logs. Default "/ecs/voice-agent".
	VoiceLogGroup string `yaml:"voice_log_group"`
	// BotLogGroup holds the Python bot's text logs. Default "/ecs/voice-bot".
	BotLogGroup string `yaml:"bot_log_group"`
	// BrowserLogGroup holds the browser service's logs. Default
	// "/ecs/browser-service".
	BrowserLogGroup string `yaml:"browser_log_group"`
	// ECSCluster is the ECS cluster name. Default "voice-agent".
	ECSCluster string `yaml:"ecs_cluster"`
	// VoiceService is the ECS service of the voice agent. Default "voice-agent".
	VoiceService string `yaml:"voice_service"`
	// VoiceMinTasks is the running task count below which the voice service
	// alarms. Default 2 (the incident ran 2 tasks).
	VoiceMinTasks float64 `yaml:"voice_min_tasks"`
	// BrowserService is the ECS service of the browser service. Default
	// "browser-service".
	BrowserService string `yaml:"browser_service"`
	// LoadBalancer is the ALB's CloudWatch dimension value. Default
	// "app/voice-agent-alb/0123456789abcdef".
	LoadBalancer string `yaml:"load_balancer"`
	// VoiceTargetGroup is the voice target group dimension value. Default
	// "targetgroup/voice-agent/0123456789abcdef".
	VoiceTargetGroup string `yaml:"voice_target_group"`
	// BrowserTargetGroup is the browser target group dimension value. Default
	// "targetgroup/browser-service/0123456789abcdef".
	BrowserTargetGroup string `yaml:"browser_target_group"`
	// CloudFrontDistribution is the distribution ID. CloudFront metrics live
	// in us-east-1 only. Default "E0000000000000".
	CloudFrontDistribution string `yaml:"cloudfront_distribution"`
	// DynamoDBTable is the session table. Default "voice-sessions".
	DynamoDBTable string `yaml:"dynamodb_table"`
	// TopicName is the SNS topic every alarm notifies. Default
	// "voicewatch-alarms".
	TopicName string `yaml:"topic_name"`
	// Subscriptions of the topic. Default none.
	Subscriptions []Subscription `yaml:"subscriptions"`
	// Thresholds overrides alarm thresholds by alarm name (without the
	// prefix), e.g. {"CloudFront4XXRate": 30}. Each is checked against the
	// alarm's allowed range. Default none.
	Thresholds map[string]float64 `yaml:"thresholds"`

	// placeholders lists the keys WithDefaults filled with a placeholder
	// resource ID (see Placeholders).
	placeholders []string
}

// placeholderKeys are the keys whose defaults are not real resources: the
// incident's names with made-up IDs. Apply refuses to create alarms on
// them (the ECS task-count alarms would fire at once, the ALB and
// CloudFront ones would never see data).
var placeholderKeys = map[string]string{
	"ecs_cluster": "the ECS cluster name (aws ecs list-clusters)", "voice_service": "the voice agent's ECS service name",
	"browser_service":         "the browser service's ECS service name",
	"load_balancer":           "the ALB dimension app/NAME/ID (the end of the ALB's ARN; aws elbv2 describe-load-balancers)",
	"voice_target_group":      "the dimension targetgroup/NAME/ID (the end of the target group's ARN)",
	"browser_target_group":    "the dimension targetgroup/NAME/ID (the end of the target group's ARN)",
	"cloudfront_distribution": "the distribution ID (aws cloudfront list-distributions)",
	"dynamodb_table":          "the session table name (aws dynamodb list-tables)",
}

// Placeholders returns the keys (e.g. "cloudwatch.load_balancer") still at
// their placeholder default, each with what to set it to.
func (c CloudWatchConfig) Placeholders() map[string]string {
	values := map[string]string{
		"ecs_cluster": c.ECSCluster, "voice_service": c.VoiceService, "browser_service": c.BrowserService,
		"load_balancer": c.LoadBalancer, "voice_target_group": c.VoiceTargetGroup, "browser_target_group": c.BrowserTargetGroup,
		"cloudfront_distribution": c.CloudFrontDistribution, "dynamodb_table": c.DynamoDBTable,
	}
	defaults := CloudWatchConfig{}.WithDefaults()
	defValues := map[string]string{
		"ecs_cluster": defaults.ECSCluster, "voice_service": defaults.VoiceService, "browser_service": defaults.BrowserService,
		"load_balancer": defaults.LoadBalancer, "voice_target_group": defaults.VoiceTargetGroup, "browser_target_group": defaults.BrowserTargetGroup,
		"cloudfront_distribution": defaults.CloudFrontDistribution, "dynamodb_table": defaults.DynamoDBTable,
	}
	out := map[string]string{}
	for _, k := range c.placeholders {
		if values[k] == defValues[k] { // still the default: not set since
			out["cloudwatch."+k] = placeholderKeys[k]
		}
	}
	return out
}

// Subscription is one SNS subscription of the alarm topic.
type Subscription struct {
	// Protocol is an SNS protocol: email, https, sqs, lambda, ...
	Protocol string `yaml:"protocol" json:"protocol"`
	// Endpoint is the address for that protocol (not a secret: no tokens in
	// URLs).
	Endpoint string `yaml:"endpoint" json:"endpoint"`
}

// WithDefaults returns c with every zero field set to its default; it
// remembers which keys got a placeholder resource (see Placeholders).
func (c CloudWatchConfig) WithDefaults() CloudWatchConfig {
	c.CloudWatch = c.CloudWatch.WithDefaults()
	for _, d := range []struct {
		p   *string
		v   string
		key string // a placeholder key, when the default is not a real resource
	}{
		{&c.AlarmPrefix, "voicewatch-", ""}, {&c.LogNamespace, "VoiceBot/Logs", ""},
		{&c.VoiceLogGroup, "/ecs/voice-agent", ""}, {&c.BotLogGroup, "/ecs/voice-bot", ""},
		{&c.BrowserLogGroup, "/ecs/browser-service", ""}, {&c.ECSCluster, "voice-agent", "ecs_cluster"},
		{&c.VoiceService, "voice-agent", "voice_service"}, {&c.BrowserService, "browser-service", "browser_service"},
		{&c.LoadBalancer, "app/voice-agent-alb/0123456789abcdef", "load_balancer"},
		{&c.VoiceTargetGroup, "targetgroup/voice-agent/0123456789abcdef", "voice_target_group"},
		{&c.BrowserTargetGroup, "targetgroup/browser-service/0123456789abcdef", "browser_target_group"},
		{&c.CloudFrontDistribution, "E0000000000000", "cloudfront_distribution"}, {&c.DynamoDBTable, "voice-sessions", "dynamodb_table"},
		{&c.TopicName, "voicewatch-alarms", ""},
	} {
		if *d.p == "" {
			*d.p = d.v
			if d.key != "" && !slices.Contains(c.placeholders, d.key) {
				c.placeholders = append(c.placeholders, d.key)
			}
		}
	}
	c.VoiceMinTasks = cmp.Or(c.VoiceMinTasks, 2)
	return c
}

var snsProtocols = map[string]bool{"email": true, "email-json": true, "http": true, "https": true, "sqs": true, "lambda": true, "sms": true, "application": true, "firehose": true}

// Validate reports the first invalid field of c (defaults applied).
func (c CloudWatchConfig) Validate() error {
	for name, v := range map[string]string{"cloudwatch.service": c.Service, "cloudwatch.environment": c.Environment} {
		if v == "" || strings.ContainsAny(v, "\"'\\\n") {
			return fmt.Errorf("%w: %s %q: must be the sidecar's static dimension value (not empty, no quotes or backslashes)", ErrInvalidConfig, name, v)
		}
	}
	for i, s := range c.Subscriptions {
		if !snsProtocols[s.Protocol] {
			return fmt.Errorf("%w: cloudwatch.subscriptions[%d].protocol %q: must be one of %s", ErrInvalidConfig, i, s.Protocol, strings.Join(sortedKeys(snsProtocols), ", "))
		}
		if s.Endpoint == "" {
			return fmt.Errorf("%w: cloudwatch.subscriptions[%d].endpoint is empty: set the address for protocol %s", ErrInvalidConfig, i, s.Protocol)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
