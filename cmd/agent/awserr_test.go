package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/voicewatch/voicewatch/internal/awstest"
)

// awsEnv points the AWS SDK's default chain at fake static credentials
// and loopback test servers only, with no shared config files.
func awsEnv(t *testing.T, endpoint string) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret-example", "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "", "AWS_ENDPOINT_URL": endpoint,
		"AWS_MAX_ATTEMPTS": "1",
	} {
		t.Setenv(k, v)
	}
}

var accessDenied = &awstest.APIError{Status: http.StatusForbidden, Shape: "AccessDenied", Message: "not authorized", Fault: "Sender"}

// AWS failures of agent commands say how to fix them: the missing IAM
// action, the region, the credentials chain.
func TestAWSErrorsSayHowToFix(t *testing.T) {
	t.Run("logs report: denied FilterLogEvents", func(t *testing.T) {
		logs := awstest.NewLogs(t)
		awsEnv(t, logs.URL)
		logs.Inject(awstest.Fault{Kind: awstest.FaultAPIError, Error: &awstest.APIError{Status: http.StatusBadRequest, Shape: "AccessDeniedException", Message: "denied", Fault: "Sender"}})
		_, errOut, code := runCLI(t, "logs", "report", "--endpoint", logs.URL, "cloudwatch:/ecs/voicewatch")
		if code != 1 || !strings.Contains(errOut, "to fix: the AWS identity in use lacks the IAM permission logs:FilterLogEvents") {
			t.Errorf("exit %d, stderr:\n%s", code, errOut)
		}
	})
	t.Run("dashboards apply: denied", func(t *testing.T) {
		cw := awstest.NewCloudWatch(t)
		awsEnv(t, cw.URL)
		cw.Inject(awstest.Fault{Kind: awstest.FaultAPIError, Error: accessDenied})
		_, errOut, code := runCLI(t, "dashboards", "apply", "--cloudwatch")
		if code != 1 || !strings.Contains(errOut, "lacks the IAM permission cloudwatch:") || !strings.Contains(errOut, "deploy/ecs/iam-policy.json") {
			t.Errorf("exit %d, stderr:\n%s", code, errOut)
		}
	})
	t.Run("alerts apply: no region", func(t *testing.T) {
		cw := awstest.NewCloudWatch(t)
		awsEnv(t, cw.URL)
		t.Setenv("AWS_REGION", "")
		_, errOut, code := runCLI(t, "alerts", "apply", "--cloudwatch", "--config", realResources(t))
		if code != 1 || !strings.Contains(errOut, "to fix: no AWS region is set: pass --region, or set AWS_REGION") {
			t.Errorf("exit %d, stderr:\n%s", code, errOut)
		}
		if cw.TotalRequests() != 0 {
			t.Errorf("%d requests reached the server without a region", cw.TotalRequests())
		}
	})
	t.Run("alerts test-notify: invalid key", func(t *testing.T) {
		cw := awstest.NewCloudWatch(t)
		awsEnv(t, cw.URL)
		cw.Inject(awstest.Fault{Kind: awstest.FaultAPIError, Error: &awstest.APIError{Status: http.StatusForbidden, Shape: "InvalidClientTokenId", Message: "The security token included in the request is invalid.", Fault: "Sender"}})
		_, errOut, code := runCLI(t, "alerts", "test-notify", "--alarm", "ProbeSTUNFailing", "--config", realResources(t))
		if code != 1 || !strings.Contains(errOut, "AWS rejected the access key") || strings.Contains(errOut, "secret-example") {
			t.Errorf("exit %d, stderr:\n%s", code, errOut)
		}
	})
}

// realResources writes an alerts config whose resource IDs are not the
// placeholders apply refuses, and returns its path.
func realResources(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "alerts.yml")
	cfg := "cloudwatch:\n" + awstest.ResourcesYAML
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
