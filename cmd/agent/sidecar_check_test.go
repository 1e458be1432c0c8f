package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const checkBase = `
scrape:
  targets: [{name: voice, url: "http://127.0.0.1:1/metrics", labels: {job: voice, service: v}}]
probes:
  suite:
    probes:
      - {name: stun-a, kind: stun, target: "stun:127.0.0.1:3478"}
      - {name: stun-b, kind: stun, target: "stun:127.0.0.2:3478"}
export_interval: 60s
cloudwatch:
  static_dimensions: {Service: voicewatch, Environment: production}
`

// TestSidecarCheckConfigCloudWatch: --check-config prints the CloudWatch
// metric count and its monthly cost (and PutMetricData requests in mode
// api), and reports each bad input of the catalogue's contract as an error
// that says what to change.
func TestSidecarCheckConfigCloudWatch(t *testing.T) {
	write := func(t *testing.T, extra string) string {
		p := filepath.Join(t.TempDir(), "sidecar.yaml")
		if err := os.WriteFile(p, []byte(checkBase+extra), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Run("estimate", func(t *testing.T) {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"sidecar", "--config", write(t, "  mode: api\n"), "--check-config"}, nil, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		// Two stun probes: probe_success at [probe kind] 2, [kind] 1, [] 1;
		// probe_duration_seconds, probe_rtt_seconds, probe_jitter_seconds,
		// probe_packet_loss_ratio and probe_ssl_earliest_cert_expiry at
		// [probe kind] 2 each (upper bounds: a stun probe publishes fewer);
		// the media core's catalogue metrics 101. One request per minute:
		// 43200 a month.
		for _, want := range []string{
			"CloudWatch (api, namespace VoiceWatch): at most 115 metrics (name × dimension set × values), $34.50 per month at $0.30 per metric",
			"43200 PutMetricData requests per month, $0.43 at $0.01 per 1000",
			"probe_success", "[Environment Service kind]",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, out.String())
			}
		}
		if strings.Contains(out.String(), "go_") || strings.Contains(out.String(), "process_") {
			t.Errorf("runtime metrics counted although not included:\n%s", out.String())
		}
	})
	for _, tc := range []struct{ name, extra, want string }{
		{"dimension label that does not exist", "  dimensions: {metrics: {voice_connections_total: [reslt]}}\n",
			`label "reslt" does not exist: voice_connections_total has the labels [result] and the scrape targets add [job service]`},
		{"gauge without aggregation", "  include: [process_start_time_seconds]\n",
			"gauge process_start_time_seconds is included without an aggregation: set cloudwatch.aggregations.process_start_time_seconds to max, min, average or sum"},
		{"include glob that matches nothing", "  include: [\"voice_sesions_*\"]\n",
			`cloudwatch.include "voice_sesions_*" matches no metric`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(context.Background(), []string{"sidecar", "--config", write(t, tc.extra), "--check-config"}, nil, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}
