package logs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden compares got with testdata/golden/name (rewritten with -update).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update to accept):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func corpus(name string) string { return filepath.Join("testdata", "corpus", name+".log") }

func TestReportGolden(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
	}{
		{name: "voicebot.txt", args: []string{corpus("voicebot")}},
		{name: "voicebot.json", args: []string{"--json", "--format", "rules:python-voicebot", corpus("voicebot")}},
		{name: "alb.txt", args: []string{"--format", "alb", corpus("alb")}},
		{name: "all-since-1h.json", args: []string{"--json", "--since", "1h", corpus("voicebot"), corpus("alb"), corpus("access"), corpus("media")}},
		{name: "media-stdin.txt", args: []string{"--format", "json", "-"}, stdin: corpus("media")},
		{name: "bot-untrusted-proxy.txt", args: []string{"--trusted-proxies", "", "--top", "1", corpus("voicebot")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdin []byte
			if tc.stdin != "" {
				var err error
				if stdin, err = os.ReadFile(tc.stdin); err != nil {
					t.Fatal(err)
				}
			}
			var out, errOut bytes.Buffer
			if err := RunReport(context.Background(), tc.args, bytes.NewReader(stdin), &out, &errOut); err != nil {
				t.Fatalf("RunReport: %v\n%s", err, errOut.String())
			}
			golden(t, tc.name, out.Bytes())
		})
	}
}

// TestReportIncidentNumbers checks the JSON contract and the incident's
// numbers on the Python bot's log: 14 sessions, 10 completed (71%), 141
// scanner requests that are not errors, attributed to real client IPs.
func TestReportIncidentNumbers(t *testing.T) {
	var out bytes.Buffer
	if err := RunReport(context.Background(), []string{"--json", corpus("voicebot")}, nil, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	var r struct {
		Lines      int `json:"lines"`
		Unparsable int `json:"unparsable"`
		Legitimate struct {
			Requests     int            `json:"requests"`
			Errors       int            `json:"errors"`
			ErrorsByKind map[string]int `json:"errors_by_kind"`
		} `json:"legitimate"`
		Scanner struct {
			Total      int            `json:"total"`
			ByPattern  map[string]int `json:"by_pattern"`
			ByClientIP map[string]int `json:"by_client_ip"`
		} `json:"scanner"`
		Sessions struct {
			Started        int     `json:"started"`
			Completed      int     `json:"completed"`
			CompletionRate float64 `json:"completion_rate"`
		} `json:"sessions"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Sessions.Started != 14 || r.Sessions.Completed != 10 || r.Sessions.CompletionRate < 0.71 || r.Sessions.CompletionRate > 0.72 {
		t.Errorf("sessions = %+v, want 14 started, 10 completed, 0.714", r.Sessions)
	}
	if r.Scanner.Total != 141 || r.Scanner.ByPattern["weblogic"] != 60 || r.Scanner.ByPattern["cgi_injection"] != 35 || r.Scanner.ByPattern["invalid_method"] != 28 {
		t.Errorf("scanner = %+v, want 141 (weblogic 60, cgi_injection 35, invalid_method 28)", r.Scanner)
	}
	for ip := range r.Scanner.ByClientIP {
		if strings.HasPrefix(ip, "10.") {
			t.Errorf("scanner attributed to the load balancer %s", ip)
		}
	}
	want := map[string]int{"stt_timeout": 8, "tts_policy_violation": 6, "webrtc_connection_timeout": 6, "http_5xx": 1, "store_write_failed": 1}
	if len(r.Legitimate.ErrorsByKind) != len(want) || r.Legitimate.Errors != 22 {
		t.Errorf("errors = %d %v, want 22 %v", r.Legitimate.Errors, r.Legitimate.ErrorsByKind, want)
	}
	for k, n := range want {
		if r.Legitimate.ErrorsByKind[k] != n {
			t.Errorf("errors_by_kind[%s] = %d, want %d", k, r.Legitimate.ErrorsByKind[k], n)
		}
	}
	if r.Lines != 803 || r.Unparsable != 4 {
		t.Errorf("lines = %d, unparsable = %d, want 803, 4", r.Lines, r.Unparsable)
	}
}

func TestReportUsage(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr error
		stderr  string
		stdout  string
	}{
		{name: "help", args: []string{"--help"}, stdout: "cloudwatch:LOG_GROUP"},
		{name: "no source", args: nil, wantErr: ErrUsage, stderr: "no source"},
		{name: "bad format", args: []string{"--format", "xml", "x.log"}, wantErr: ErrUsage, stderr: "auto|alb|clf|json"},
		{name: "unknown shipped rules", args: []string{"--format", "rules:nope", "x.log"}, wantErr: ErrUsage, stderr: "python-voicebot"},
		{name: "bad since", args: []string{"--since", "2 hours", "x.log"}, wantErr: ErrUsage, stderr: "-since"},
		{name: "unknown flag", args: []string{"--follow", "x.log"}, wantErr: ErrUsage, stderr: "Usage: agent logs report"},
		{name: "bad proxy", args: []string{"--trusted-proxies", "10.0.0.0", "x.log"}, wantErr: ErrUsage, stderr: "CIDR"},
		{name: "missing file", args: []string{"does-not-exist.log"}, wantErr: os.ErrNotExist},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := RunReport(context.Background(), tc.args, nil, &out, &errOut)
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.name == "help" && errOut.Len() > 0 {
				t.Errorf("--help wrote to stderr: %q", errOut.String())
			}
			if !strings.Contains(errOut.String(), tc.stderr) {
				t.Errorf("stderr = %q, want it to mention %q", errOut.String(), tc.stderr)
			}
			if !strings.Contains(out.String(), tc.stdout) {
				t.Errorf("stdout = %q, want it to mention %q", out.String(), tc.stdout)
			}
		})
	}
}
