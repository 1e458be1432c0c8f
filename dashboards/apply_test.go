package dashboards_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/dashboards"
	"github.com/voicewatch/voicewatch/dashboards/dashtest"
	"github.com/voicewatch/voicewatch/internal/awstest"
)

const testToken = "glsa_test-token-do-not-log"

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func actions(rs []dashboards.ApplyResult) []dashboards.Action {
	var out []dashboards.Action
	for _, r := range rs {
		out = append(out, r.Action)
	}
	return out
}

func allAre(rs []dashboards.ApplyResult, a dashboards.Action) bool {
	for _, r := range rs {
		if r.Action != a {
			return false
		}
	}
	return len(rs) > 0
}

// TestApplyGrafana: the first apply creates the folder and the dashboards,
// a second one writes nothing, a config change updates them.
func TestApplyGrafana(t *testing.T) {
	fake := dashtest.NewGrafana(t, testToken)
	g, err := dashboards.New(dashboards.Config{})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := g.ApplyGrafana(ctxT(t), fake.URL, testToken)
	if err != nil {
		t.Fatal(err)
	}
	if !allAre(rs, dashboards.ActionCreated) || len(rs) != 4 {
		t.Fatalf("first apply = %v, want 4 × created", actions(rs))
	}
	if fake.Folders()["voicewatch"] != "voicewatch" {
		t.Errorf("folder not created: %v", fake.Folders())
	}
	stored := fake.Dashboards()["voicewatch-overview"]
	if stored.FolderUID != "voicewatch" || stored.Model["title"] != "Voice agent overview" {
		t.Errorf("stored overview = folder %q title %v", stored.FolderUID, stored.Model["title"])
	}
	writes := fake.Writes()

	rs, err = g.ApplyGrafana(ctxT(t), fake.URL, testToken)
	if err != nil {
		t.Fatal(err)
	}
	if !allAre(rs, dashboards.ActionUnchanged) || fake.Writes() != writes {
		t.Fatalf("second apply = %v with %d new writes, want all unchanged and none", actions(rs), fake.Writes()-writes)
	}

	g2, err := dashboards.New(dashboards.Config{ConnectionSuccessTarget: 0.97})
	if err != nil {
		t.Fatal(err)
	}
	rs, err = g2.ApplyGrafana(ctxT(t), fake.URL, testToken)
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Action != dashboards.ActionUpdated || fake.Dashboards()["voicewatch-overview"].Version != 2 {
		t.Errorf("apply after a change = %v, want overview updated to version 2", actions(rs))
	}
}

func TestApplyGrafanaErrors(t *testing.T) {
	fake := dashtest.NewGrafana(t, testToken)
	g, err := dashboards.New(dashboards.Config{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, url, token string
		want             error
		wantMsg          string
	}{
		{"no token", fake.URL, "", dashboards.ErrNoToken, "GRAFANA_TOKEN"},
		{"wrong token", fake.URL, "wrong-secret-token", dashboards.ErrGrafanaAPI, "HTTP 401"},
		{"not a URL", "grafana:3000", testToken, dashboards.ErrUsage, "not an http(s) URL"},
		{"credentials in URL", "http://admin:hunter2@127.0.0.1:1", testToken, dashboards.ErrUsage, "must not contain credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := g.ApplyGrafana(ctxT(t), tt.url, tt.token)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("err = %v, want %v containing %q", err, tt.want, tt.wantMsg)
			}
			for _, secret := range []string{"wrong-secret-token", testToken, "hunter2"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error leaks a secret: %v", err)
				}
			}
		})
	}
	if len(fake.Dashboards()) != 0 {
		t.Errorf("failed applies stored dashboards: %v", fake.Dashboards())
	}
}

// TestApplyCloudWatch runs against the in-repo CloudWatch server through
// the real SDK: create, then unchanged, retry through a throttle, dry run
// without calls.
func TestApplyCloudWatch(t *testing.T) {
	cw := awstest.NewCloudWatch(t)
	client := cw.Client()
	g, err := dashboards.New(dashboards.Config{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := g.CloudWatchBody()
	if err != nil {
		t.Fatal(err)
	}

	res, err := g.ApplyCloudWatch(ctxT(t), client, true)
	if err != nil || res.Action != dashboards.ActionWouldPut || cw.TotalRequests() != 0 {
		t.Fatalf("dry run = %v, %v with %d requests, want would put and no request", res.Action, err, cw.TotalRequests())
	}

	cw.ThrottleNext(1)
	res, err = g.ApplyCloudWatch(ctxT(t), client, false)
	if err != nil || res.Action != dashboards.ActionCreated {
		t.Fatalf("first apply = %v, %v; want created", res.Action, err)
	}
	if got := cw.Dashboards()["voicewatch"]; got != string(want) {
		t.Errorf("stored body differs from the generated one")
	}

	puts := cw.Requests("PutDashboard")
	res, err = g.ApplyCloudWatch(ctxT(t), client, false)
	if err != nil || res.Action != dashboards.ActionUnchanged || cw.Requests("PutDashboard") != puts {
		t.Fatalf("second apply = %v, %v, %d puts; want unchanged, no put", res.Action, err, cw.Requests("PutDashboard")-puts)
	}

	cw.FailNext(5, 500)
	if _, err := g.ApplyCloudWatch(ctxT(t), cw.Client(awstest.WithMaxAttempts(1)), false); err == nil {
		t.Fatal("apply against a failing CloudWatch succeeded")
	}
}
