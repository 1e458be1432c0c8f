package alerts

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestReceiverWithAlertmanager routes an alert through the real Alertmanager
// (Debian's prometheus-alertmanager) to the receiver, so the payload is
// Alertmanager's own, then resolves it.
func TestReceiverWithAlertmanager(t *testing.T) {
	am := tool(t, "prometheus-alertmanager")
	got := make(chan ReceivedNotification, 16)
	var out bytes.Buffer
	rcv := httptest.NewServer(NewReceiver(&out, ReceiverConfig{},
		WithNotifyFunc(func(r ReceivedNotification) { got <- r })))
	defer rcv.Close()

	dir := t.TempDir()
	cfg := fmt.Sprintf(`route:
  receiver: pager
  group_by: [alertname, service]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: pager
    webhook_configs:
      - url: %s/pager
        send_resolved: true
`, rcv.URL)
	if err := os.WriteFile(filepath.Join(dir, "am.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	amAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	var amLog bytes.Buffer
	cmd := exec.Command(am, "--config.file="+filepath.Join(dir, "am.yml"),
		"--storage.path="+filepath.Join(dir, "data"), "--web.listen-address="+amAddr,
		"--cluster.listen-address=", "--log.level=warn")
	cmd.Stdout, cmd.Stderr = &amLog, &amLog
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("alertmanager log:\n%s", amLog.String())
		}
	}()
	waitReady(t, "http://"+amAddr+"/-/ready", 20*time.Second)

	post := func(endsAt string) {
		t.Helper()
		body := `[{"labels":{"alertname":"ProbeTURNFailing","severity":"page","service":"voicewatch","probe":"turn"},` +
			`"annotations":{"summary":"The TURN probe fails","runbook_url":"https://example.com/runbooks/probe-turn-failing.md"}` + endsAt + `}]`
		resp, err := http.Post("http://"+amAddr+"/api/v2/alerts", "application/json", bytes.NewBufferString(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST /api/v2/alerts: %s", resp.Status)
		}
	}
	wait := func(status string) ReceivedNotification {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for {
			select {
			case r := <-got:
				if r.Status == status {
					return r
				}
			case <-deadline:
				t.Fatalf("no %s notification within 30s; receiver output:\n%s", status, out.String())
			}
		}
	}

	post("")
	r := wait("firing")
	if r.Receiver != "pager" || r.Path != "/pager" || !slices.Equal(r.Firing, []string{"ProbeTURNFailing"}) {
		t.Errorf("firing notification: receiver %q path %q firing %v", r.Receiver, r.Path, r.Firing)
	}
	if r.Notification.Version != "4" || r.Notification.Alerts[0].Annotations["runbook_url"] == "" || r.Notification.Alerts[0].Fingerprint == "" {
		t.Errorf("the notification lost Alertmanager's fields: %+v", r.Notification)
	}

	post(`,"endsAt":"` + time.Now().Add(-time.Second).UTC().Format(time.RFC3339) + `"`)
	r = wait("resolved")
	if !slices.Equal(r.Resolved, []string{"ProbeTURNFailing"}) || len(r.Firing) != 0 {
		t.Errorf("resolved notification: firing %v resolved %v", r.Firing, r.Resolved)
	}
}

// waitReady polls url until it answers 200 or the deadline passes.
func waitReady(t *testing.T, url string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready within %v: %v", url, within, err)
		}
		<-tick.C
	}
}
