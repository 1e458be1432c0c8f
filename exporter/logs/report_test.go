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

	"github.com/voicewatch/voicewatch/internal/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// checkGolden compares got with testdata/golden/name (rewritten with -update).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "golden", name), got, *update)
}

func corpus(name string) string { return filepath.Join("testdata", "corpus", name+".log") }

// TestReportIncidentNumbers checks the JSON contract and the incident's
// numbers on the Python bot's log: 14 sessions, 10 completed (71%), 141
// scanner requests that are not errors, attributed to real client IPs.
func TestReportIncidentNumbers(t *testing.T) {
	rep, err := BuildReport(context.Background(), ReportConfig{Sources: []string{corpus("voicebot")}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(rep) // the JSON contract of `agent logs report --json`
	if err != nil {
		t.Fatal(err)
	}
	out := bytes.NewBuffer(b)
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

func TestBuildReportErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  ReportConfig
		want error
	}{
		{"no source", ReportConfig{}, ErrInvalidConfig},
		{"bad format", ReportConfig{Sources: []string{"x.log"}, Format: "xml"}, ErrUnknownFormat},
		{"negative since", ReportConfig{Sources: []string{"x.log"}, Since: -1}, ErrInvalidConfig},
		{"stdin without a reader", ReportConfig{Sources: []string{"-"}}, ErrInvalidConfig},
		{"missing file", ReportConfig{Sources: []string{"does-not-exist.log"}}, os.ErrNotExist},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := BuildReport(context.Background(), tt.cfg); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}
