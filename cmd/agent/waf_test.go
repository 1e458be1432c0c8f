package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voicewatch/voicewatch/internal/awstest"
	"github.com/voicewatch/voicewatch/internal/waf"
)

// TestWafExportIsCommitted: `agent waf export` with the defaults writes
// the web ACL committed in deploy/waf (go test -run TestWafExportIsCommitted
// -update rewrites it).
func TestWafExportIsCommitted(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := runCLI(t, "waf", "export", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "wrote "+filepath.Join(dir, waf.WebACLFile)+"\n") || !strings.Contains(out, "WCUs of a budget of 1500") {
		t.Errorf("output:\n%s", out)
	}
	got, err := os.ReadFile(filepath.Join(dir, waf.WebACLFile))
	if err != nil {
		t.Fatal(err)
	}
	committed := filepath.Join("..", "..", "deploy", "waf", waf.WebACLFile)
	if *update {
		if err := os.WriteFile(committed, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: run go test ./cmd/agent -run TestWafExportIsCommitted -update", committed)
	}
}

// TestWafApplyCommand drives `agent waf apply` against the wafv2 and elbv2
// test servers through the standard AWS endpoint variables: the first run
// creates everything, the second reports no changes.
func TestWafApplyCommand(t *testing.T) {
	wafSrv, elbSrv := awstest.NewWAFv2(t), awstest.NewELBv2(t)
	albARN := elbSrv.AddLoadBalancer("voicebot-alb", "application")
	t.Setenv("AWS_ENDPOINT_URL_WAFV2", wafSrv.URL)
	t.Setenv("AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2", elbSrv.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret-do-not-log")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	args := []string{"waf", "apply", "--alb", "voicebot-alb", "--alb-access-logs", "s3://voicebot-logs/alb",
		"--log-destination", "arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-voicewatch", "--geo-count", "cn,ru"}
	out, errOut, code := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"web ACL create", "logging create", "association associate", "access logs update"} {
		if !strings.Contains(flat, want) {
			t.Errorf("first apply lacks %q:\n%s", want, out)
		}
	}
	if elbSrv.Attributes(albARN)["access_logs.s3.enabled"] != "true" || wafSrv.Association(albARN) == "" {
		t.Error("ALB not associated or access logs not on")
	}
	out2, errOut2, code := runCLI(t, args...)
	if code != 0 || !strings.Contains(out2, "no changes") {
		t.Fatalf("second apply: exit %d:\n%s%s", code, out2, errOut2)
	}
	if strings.Contains(out+errOut+out2+errOut2, "test-secret-do-not-log") {
		t.Error("output leaks the secret key")
	}
}

func TestWafUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"waf"}, "missing subcommand: export, apply"},
		{[]string{"waf", "export"}, "--out DIR is required"},
		{[]string{"waf", "export", "--out", "x", "--scope", "GLOBAL"}, "scope \"GLOBAL\""},
		{[]string{"waf", "export", "--out", "x", "--extra-rule-sets", "linux,unix,php"}, "budget 1500"},
		{[]string{"waf", "export", "--out", "x", "--routes", "whip"}, "must start with /"},
		{[]string{"waf", "apply", "--alb-access-logs", "s3://b/p"}, "needs --alb"},
		{[]string{"waf", "apply", "--alb", "x", "--alb-access-logs", "https://b/p"}, "s3://BUCKET/PREFIX"},
		{[]string{"waf", "apply", "--alb", "x", "--scope", "CLOUDFRONT"}, "--scope REGIONAL"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errOut, code := runCLI(t, tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q (stdout %q)", code, errOut, tt.want, out)
			}
		})
	}
}
