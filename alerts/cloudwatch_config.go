package alerts

import (
	"fmt"
	"sort"
	"strings"
)

// CloudWatchConfig names the AWS resources the CloudWatch alarms watch. The
// defaults are placeholders that match the incident's deployment; set them
// to your resource names.
type CloudWatchConfig struct {
	// AlarmPrefix prefixes every alarm and metric filter name. Default
	// "voicewatch-".
	AlarmPrefix string `yaml:"alarm_prefix"`
	// Namespace is where the sidecar publishes voicewatch metrics (the
	// exporter's CloudWatch namespace). Default "VoiceWatch".
	Namespace string `yaml:"namespace"`
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
}

// Subscription is one SNS subscription of the alarm topic.
type Subscription struct {
	// Protocol is an SNS protocol: email, https, sqs, lambda, ...
	Protocol string `yaml:"protocol" json:"protocol"`
	// Endpoint is the address for that protocol (not a secret: no tokens in
	// URLs).
	Endpoint string `yaml:"endpoint" json:"endpoint"`
}

func (c CloudWatchConfig) withDefaults() CloudWatchConfig {
	for _, d := range []struct {
		p *string
		v string
	}{
		{&c.AlarmPrefix, "voicewatch-"}, {&c.Namespace, "VoiceWatch"}, {&c.LogNamespace, "VoiceBot/Logs"},
		{&c.VoiceLogGroup, "/ecs/voice-agent"}, {&c.BotLogGroup, "/ecs/voice-bot"},
		{&c.BrowserLogGroup, "/ecs/browser-service"}, {&c.ECSCluster, "voice-agent"},
		{&c.VoiceService, "voice-agent"}, {&c.BrowserService, "browser-service"},
		{&c.LoadBalancer, "app/voice-agent-alb/0123456789abcdef"},
		{&c.VoiceTargetGroup, "targetgroup/voice-agent/0123456789abcdef"},
		{&c.BrowserTargetGroup, "targetgroup/browser-service/0123456789abcdef"},
		{&c.CloudFrontDistribution, "E0000000000000"}, {&c.DynamoDBTable, "voice-sessions"},
		{&c.TopicName, "voicewatch-alarms"},
	} {
		if *d.p == "" {
			*d.p = d.v
		}
	}
	if c.VoiceMinTasks == 0 {
		c.VoiceMinTasks = 2
	}
	return c
}

var snsProtocols = map[string]bool{"email": true, "email-json": true, "http": true, "https": true, "sqs": true, "lambda": true, "sms": true, "application": true, "firehose": true}

func (c CloudWatchConfig) validate() error {
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
