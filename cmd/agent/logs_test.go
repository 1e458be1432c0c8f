package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voicewatch/voicewatch/internal/awstest"
	"github.com/voicewatch/voicewatch/internal/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// checkGolden compares got with testdata/name (rewritten with -update).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), got, *update)
}

// corpus is a log file of the log classifier's labelled corpus.
func corpus(name string) string {
	return filepath.Join("..", "..", "exporter", "logs", "testdata", "corpus", name+".log")
}

// TestLogsReportGolden runs `agent logs report` on the corpus and compares
// its text and JSON output with the golden files.
func TestLogsReportGolden(t *testing.T) {
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
		{name: "bot-routes.txt", args: []string{"--routes", "/,/ws,/health,/offer,/static/**", corpus("voicebot")}},
		{name: "cloudfront.txt", args: []string{corpus("cloudfront")}},
		{name: "waf.txt", args: []string{"--format", "waf", corpus("waf")}},
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
			args := append([]string{"logs", "report"}, tc.args...)
			if err := run(context.Background(), args, bytes.NewReader(stdin), &out, &errOut); err != nil {
				t.Fatalf("logs report: %v\n%s", err, errOut.String())
			}
			// The sources are named as given; keep the golden files free of
			// this test's relative path.
			got := bytes.ReplaceAll(out.Bytes(), []byte(filepath.Join("..", "..", "exporter", "logs")+"/"), nil)
			checkGolden(t, filepath.Join("logs-report", tc.name), got)
		})
	}
}

// TestLogsReportMostlyUnparsable: a report whose input is mostly
// unparsable still prints, but exits non-zero and names the format that
// reads the lines.
func TestLogsReportMostlyUnparsable(t *testing.T) {
	out, errOut, code := runCLI(t, "logs", "report", "--format", "alb", corpus("cloudfront"))
	if code != 1 || !strings.Contains(errOut, "12 of 12 lines (100%) are unparsable as --format alb; they parse as --format cloudfront") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, "unparsable 12") {
		t.Errorf("the report was not printed:\n%s", out)
	}
	_, errOut, code = runCLI(t, "logs", "report", "--format", "json", corpus("voicebot"))
	if code != 1 || !strings.Contains(errOut, "they parse as --format rules:python-voicebot") {
		t.Errorf("voicebot log as json: exit %d, stderr %q", code, errOut)
	}
}

// TestLogsReportS3 reads gzipped ALB logs from the S3 test server through
// the command line, as on-call would from the ALB's log bucket.
func TestLogsReportS3(t *testing.T) {
	srv := awstest.NewS3(t)
	data, err := os.ReadFile(corpus("alb"))
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	_, _ = w.Write(data)
	_ = w.Close()
	srv.Put("voicebot-logs", "alb/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/11/25/123456789012_elasticloadbalancing_eu-west-1_app.voicebot-alb.50dc6c495c0c9188_20261125T1200Z_10.0.1.23_abc.log.gz", gz.Bytes())
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret-do-not-log")
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	s3out, errOut, code := runCLI(t, "logs", "report", "--endpoint", srv.URL, "s3://voicebot-logs/alb/")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	fileOut, _, _ := runCLI(t, "logs", "report", corpus("alb"))
	if strip := func(s string) string { _, rest, _ := strings.Cut(s, "period"); return rest }; strip(s3out) != strip(fileOut) {
		t.Errorf("report from S3 differs from the file's:\n%s\n---\n%s", s3out, fileOut)
	}
	if !strings.Contains(errOut, "s3://voicebot-logs/alb/: 1 objects read") || strings.Contains(s3out+errOut, "test-secret-do-not-log") {
		t.Errorf("stderr %q: want progress and no secret", errOut)
	}
}
