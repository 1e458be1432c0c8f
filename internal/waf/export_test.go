package waf

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
	"github.com/aws/smithy-go"

	"github.com/voicewatch/voicewatch/internal/awstest"
)

// TestExportIsWhatTheServiceAccepts posts the exported files, byte for
// byte, to the wafv2 test server as CreateWebACL and
// PutLoggingConfiguration requests (what `aws wafv2 create-web-acl
// --cli-input-json` sends), then reads the web ACL back with the SDK: the
// service must hold exactly the plan.
func TestExportIsWhatTheServiceAccepts(t *testing.T) {
	plan := mustBuild(t, Config{Routes: mediaCoreRoutes, LogDestinationARN: logGroupARN, BehindCloudFront: true, GeoCountCountries: []string{"CN"}})
	dir := t.TempDir()
	files, err := plan.Export(t.Context(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Fatalf("wrote %q, want the web ACL and the logging configuration", files)
	}
	srv := awstest.NewWAFv2(t)
	post := func(op string, body []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "AWSWAF_20190729."+op)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d (%s)", op, resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
		}
	}
	acl, err := os.ReadFile(filepath.Join(dir, WebACLFile))
	if err != nil {
		t.Fatal(err)
	}
	post("CreateWebACL", acl)
	got, _, ok := srv.WebACL("voicewatch")
	if !ok {
		t.Fatal("no web ACL after CreateWebACL")
	}
	if diff := webACLDiff(plan.WebACL, &got); diff != "" {
		t.Errorf("the service holds a different web ACL: %s", diff)
	}
	logging, err := os.ReadFile(filepath.Join(dir, LoggingFile))
	if err != nil {
		t.Fatal(err)
	}
	post("PutLoggingConfiguration", bytes.ReplaceAll(logging, []byte("WEB_ACL_ARN"), []byte(aws.ToString(got.ARN))))
	if _, ok := srv.Logging(aws.ToString(got.ARN)); !ok {
		t.Error("no logging configuration after PutLoggingConfiguration")
	}
}

// TestExportRunsTheSDKValidation: a plan missing a required member fails
// in the SDK's own input validation, before anything is written.
func TestExportRunsTheSDKValidation(t *testing.T) {
	plan := mustBuild(t, Config{})
	plan.WebACL.DefaultAction = nil
	_, err := plan.Export(t.Context(), t.TempDir(), "")
	var invalid smithy.InvalidParamsError
	if !errors.As(err, &invalid) || !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "DefaultAction") {
		t.Fatalf("err = %v, want the SDK's InvalidParamsError naming DefaultAction", err)
	}
	// Sanity: the SDK client used for validation really validates.
	_, err = wireJSON(t.Context(), func(ctx context.Context, c *wafv2.Client) error {
		_, err := c.CreateWebACL(ctx, &wafv2.CreateWebACLInput{})
		return err
	})
	if !errors.As(err, &invalid) {
		t.Fatalf("empty CreateWebACL input: %v, want InvalidParamsError", err)
	}
}
