package alerts

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// PrometheusSetup is a Prometheus that evaluates the generated rules
// against a media core and a sidecar: the demo's and the end-to-end
// tests'. deploy/prometheus/prometheus.yml is the production form of the
// same jobs.
type PrometheusSetup struct {
	// Interval is the scrape and rule evaluation interval.
	Interval time.Duration
	// RuleFiles are the rule files to load (the generated rules).
	RuleFiles []string
	// Alertmanager is its host:port ("" sends alerts nowhere).
	Alertmanager string
	// Voice and Sidecar are the targets (host:port) of the media core's
	// and the sidecar's jobs; "" leaves the job out.
	Voice, Sidecar string
	// Labels are added to every target (service, environment).
	Labels map[string]string
}

// PrometheusYAML is the configuration of s: the jobs are named as the
// rules and dashboards select them (voice_job, sidecar_job), and the
// sidecar's job drops its copies of the media core's series, which
// Prometheus scrapes directly.
func (c Config) PrometheusYAML(s PrometheusSetup) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "global:\n  scrape_interval: %s\n  scrape_timeout: %s\n  evaluation_interval: %s\n", s.Interval, s.Interval, s.Interval)
	if len(s.RuleFiles) > 0 {
		fmt.Fprintf(&b, "rule_files: [%s]\n", quoteAll(s.RuleFiles))
	}
	if s.Alertmanager != "" {
		fmt.Fprintf(&b, "alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: [%q]\n", s.Alertmanager)
	}
	b.WriteString("scrape_configs:\n")
	labels := func() {
		if len(s.Labels) == 0 {
			return
		}
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(s.Labels)) {
			kv = append(kv, fmt.Sprintf("%s: %q", k, s.Labels[k]))
		}
		fmt.Fprintf(&b, "        labels: {%s}\n", strings.Join(kv, ", "))
	}
	if s.Voice != "" {
		fmt.Fprintf(&b, "  - job_name: %s\n    static_configs:\n      - targets: [%q]\n", c.VoiceJob, s.Voice)
		labels()
	}
	if s.Sidecar != "" {
		fmt.Fprintf(&b, "  - job_name: %s\n    static_configs:\n      - targets: [%q]\n", c.SidecarJob, s.Sidecar)
		labels()
		fmt.Fprintf(&b, "    metric_relabel_configs:\n      - source_labels: [exported_job]\n        regex: %s\n        action: drop\n", c.VoiceJob)
	}
	return []byte(b.String())
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
