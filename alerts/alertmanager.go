package alerts

import (
	"fmt"
	"strconv"
	"strings"
)

// Receiver names of the generated Alertmanager configuration.
const (
	ReceiverPager  = "pager"
	ReceiverTicket = "ticket"
)

// The Alertmanager configuration subset this package writes. Field names
// follow Alertmanager 0.25's YAML.
type (
	amConfig struct {
		Route        amRoute      `yaml:"route"`
		InhibitRules []amInhibit  `yaml:"inhibit_rules"`
		Receivers    []amReceiver `yaml:"receivers"`
	}
	amRoute struct {
		Receiver       string    `yaml:"receiver"`
		Matchers       []string  `yaml:"matchers,omitempty"`
		GroupBy        []string  `yaml:"group_by,omitempty"`
		GroupWait      string    `yaml:"group_wait,omitempty"`
		GroupInterval  string    `yaml:"group_interval,omitempty"`
		RepeatInterval string    `yaml:"repeat_interval,omitempty"`
		Routes         []amRoute `yaml:"routes,omitempty"`
	}
	amInhibit struct {
		SourceMatchers []string `yaml:"source_matchers"`
		TargetMatchers []string `yaml:"target_matchers"`
		Equal          []string `yaml:"equal"`
	}
	amReceiver struct {
		Name             string        `yaml:"name"`
		PagerdutyConfigs []amPagerDuty `yaml:"pagerduty_configs,omitempty"`
		WebhookConfigs   []amWebhook   `yaml:"webhook_configs,omitempty"`
		SlackConfigs     []amSlack     `yaml:"slack_configs,omitempty"`
		EmailConfigs     []amEmail     `yaml:"email_configs,omitempty"`
	}
	amPagerDuty struct {
		RoutingKeyFile string `yaml:"routing_key_file"`
		SendResolved   bool   `yaml:"send_resolved"`
	}
	amWebhook struct {
		URL          string `yaml:"url"`
		SendResolved bool   `yaml:"send_resolved"`
	}
	amSlack struct {
		APIURLFile   string `yaml:"api_url_file"`
		Channel      string `yaml:"channel"`
		SendResolved bool   `yaml:"send_resolved"`
		Title        string `yaml:"title"`
		Text         string `yaml:"text"`
	}
	amEmail struct {
		To               string `yaml:"to"`
		From             string `yaml:"from"`
		Smarthost        string `yaml:"smarthost"`
		AuthUsername     string `yaml:"auth_username,omitempty"`
		AuthPasswordFile string `yaml:"auth_password_file,omitempty"`
		SendResolved     bool   `yaml:"send_resolved"`
	}
)

// mediaCoreSymptoms are the alerts a down media core causes by itself;
// VoiceMediaCoreDown inhibits them.
var mediaCoreSymptoms = []string{
	AlertConnectionBudgetBurn, AlertCompletionBudgetBurn, AlertProbeWebRTCFailing,
	AlertICEGatheringSlow, AlertTTSErrorRatioHigh, AlertSTTErrorRatioHigh,
	AlertHTTPServerErrors, AlertScrapeTargetDown,
}

// matcher renders an Alertmanager label matcher.
func matcher(label, op, value string) string { return label + op + strconv.Quote(value) }

// AlertmanagerConfig returns the Alertmanager configuration as YAML: severity page
// goes to the pager receiver, everything else to the ticket receiver; alerts
// are grouped by alertname and service; a down media core inhibits its
// symptom alerts, and a page inhibits the ticket of the same alert.
func (c Config) AlertmanagerConfig() ([]byte, error) {
	am := c.Alertmanager
	pager := amReceiver{Name: ReceiverPager,
		PagerdutyConfigs: []amPagerDuty{{RoutingKeyFile: am.PagerDutyRoutingKeyFile, SendResolved: true}}}
	if am.PagerWebhookURL != "" {
		pager.WebhookConfigs = []amWebhook{{URL: am.PagerWebhookURL, SendResolved: true}}
	}
	ticket := amReceiver{Name: ReceiverTicket, SlackConfigs: []amSlack{{
		APIURLFile: am.SlackAPIURLFile, Channel: am.SlackChannel, SendResolved: true,
		Title: `[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.service }})`,
		Text:  `{{ range .Alerts }}{{ .Annotations.summary }}: {{ .Annotations.description }} Runbook: {{ .Annotations.runbook_url }}` + "\n" + `{{ end }}`,
	}}}
	if am.EmailTo != "" {
		ticket.EmailConfigs = []amEmail{{To: am.EmailTo, From: am.EmailFrom, Smarthost: am.EmailSmarthost,
			AuthUsername: am.EmailAuthUsername, AuthPasswordFile: am.EmailAuthPasswordFile, SendResolved: true}}
	}
	cfg := amConfig{
		Route: amRoute{
			Receiver: ReceiverTicket, GroupBy: []string{"alertname", LabelService},
			GroupWait: "30s", GroupInterval: "5m", RepeatInterval: "12h",
			Routes: []amRoute{
				{Receiver: ReceiverPager, Matchers: []string{matcher(LabelSeverity, "=", SeverityPage)}, RepeatInterval: "1h"},
				{Receiver: ReceiverTicket, Matchers: []string{matcher(LabelSeverity, "=", SeverityTicket)}, RepeatInterval: "24h"},
			},
		},
		InhibitRules: []amInhibit{{
			SourceMatchers: []string{matcher("alertname", "=", AlertMediaCoreDown)},
			TargetMatchers: []string{matcher("alertname", "=~", strings.Join(mediaCoreSymptoms, "|"))},
			Equal:          []string{LabelService},
		}, {
			SourceMatchers: []string{matcher(LabelSeverity, "=", SeverityPage)},
			TargetMatchers: []string{matcher(LabelSeverity, "=", SeverityTicket)},
			Equal:          []string{"alertname", LabelService},
		}},
		Receivers: []amReceiver{pager, ticket},
	}
	b, err := marshalYAML(cfg)
	if err != nil {
		return nil, fmt.Errorf("alertmanager config: %w", err)
	}
	return b, nil
}
