//go:build !sidecaronly

package main

// commands is the command table, in the order the help lists them. The
// sidecar image builds with -tags sidecaronly (commands_sidecaronly.go).
var commands = []command{
	{"demo", "everything on loopback: media core, STUN/TURN, sidecar, synthetic calls", runDemo},
	{"voice", "run the instrumented WebRTC media core (WHIP)", runVoice},
	{"sidecar", "scrape, derive from logs, probe; publish to Prometheus, CloudWatch, OTLP", runSidecar},
	{"logs", "logs report: summarise voice-agent logs (sessions, errors, scanner traffic)", runLogs},
	{"dashboards", "export|apply: Grafana and CloudWatch dashboards as code", runDashboards},
	{"alerts", "export|apply|test-notify|receive: Prometheus rules, Alertmanager routes, CloudWatch alarms", runAlerts},
	{"waf", "export|apply: AWS WAF web ACL from the guard's signatures, ALB association and access logs", runWaf},
}

// notInThisBuild names the commands a build leaves out: none in this one.
var notInThisBuild []string
