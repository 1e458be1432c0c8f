package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/alerts"
	"github.com/voicewatch/voicewatch/dashboards/dashtest"
	"github.com/voicewatch/voicewatch/internal/awstest"
)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestDashboardsCommand drives `agent dashboards export|apply` end to end.
func TestDashboardsCommand(t *testing.T) {
	t.Run("export matches the committed files and names them under --out", func(t *testing.T) {
		dir := t.TempDir()
		out, errOut, code := runCLI(t, "dashboards", "export", "--out", dir)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, f := range []string{"grafana/overview.json", "grafana/probes.json", "grafana/edge.json", "grafana/sidecar.json", "cloudwatch/voicewatch.json", "provisioning/dashboards/voicewatch.yaml"} {
			if !strings.Contains(out, "wrote "+filepath.Join(dir, f)+"\n") {
				t.Errorf("output does not name %s under --out:\n%s", f, out)
			}
			got, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			committed, err := os.ReadFile(filepath.Join("..", "..", "dashboards", f))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, committed) {
				t.Errorf("export %s differs from the committed file", f)
			}
		}
	})
	t.Run("dry run needs no credentials", func(t *testing.T) {
		t.Setenv("AWS_ACCESS_KEY_ID", "")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "")
		t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
		t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
		out, errOut, code := runCLI(t, "dashboards", "apply", "--cloudwatch", "--dry-run")
		if code != 0 || !strings.Contains(out, `"widgets"`) {
			t.Fatalf("exit %d, stderr %q; want the body on stdout", code, errOut)
		}
	})
	t.Run("apply grafana and cloudwatch", func(t *testing.T) {
		const token = "glsa_test-token-do-not-log"
		fake := dashtest.NewGrafana(t, token)
		cw := awstest.NewCloudWatch(t)
		t.Setenv("GRAFANA_TOKEN", token)
		t.Setenv("AWS_ENDPOINT_URL_CLOUDWATCH", cw.URL)
		t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
		t.Setenv("AWS_REGION", "us-east-1")
		t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
		t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
		out, errOut, code := runCLI(t, "dashboards", "apply", "--grafana-url", fake.URL, "--cloudwatch")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if n := strings.Count(out, ": created"); n != 5 {
			t.Errorf("want 5 created lines, got:\n%s", out)
		}
		out2, errOut2, code := runCLI(t, "dashboards", "apply", "--grafana-url", fake.URL, "--cloudwatch")
		if code != 0 {
			t.Fatalf("second apply: exit %d: %s", code, errOut2)
		}
		if n := strings.Count(out2, ": unchanged"); n != 5 {
			t.Errorf("second apply: want 5 unchanged lines, got:\n%s", out2)
		}
		if all := out + errOut + out2 + errOut2; strings.Contains(all, token) || strings.Contains(all, "test-secret") {
			t.Error("output leaks a secret")
		}
	})
}

// TestAlertsCommand drives `agent alerts export|receive` as a user would.
func TestAlertsCommand(t *testing.T) {
	t.Run("export names the files under --out", func(t *testing.T) {
		dir := t.TempDir()
		out, errOut, code := runCLI(t, "alerts", "export", "--out", dir)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, rel := range []string{alerts.PathRules, alerts.PathAlertmanager, alerts.PathCloudWatch} {
			if !strings.Contains(out, "wrote "+filepath.Join(dir, rel)+"\n") {
				t.Errorf("output does not name %s under --out:\n%s", rel, out)
			}
		}
	})
	t.Run("receive fails on a bad listen address, naming it", func(t *testing.T) {
		err := run(context.Background(), []string{"alerts", "receive", "--listen", "127.0.0.1:notaport"}, nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "listen 127.0.0.1:notaport") {
			t.Fatalf("err = %v, want a listen error naming the address", err)
		}
	})
}
