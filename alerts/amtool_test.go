package alerts

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAmtool checks the generated Alertmanager config with amtool and
// tests its routing tree.
func TestAmtool(t *testing.T) {
	amtool := tool(t, "amtool")
	cfg, err := New(Config{Alertmanager: AlertmanagerConfig{EmailTo: "voice-team@example.com", EmailAuthUsername: "alertmanager"}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := cfg.AlertmanagerConfig()
	if err != nil {
		t.Fatal(err)
	}
	dir := writeTree(t, map[string][]byte{"am.yml": b})
	file := filepath.Join(dir, "am.yml")
	if out, err := exec.Command(amtool, "check-config", file).CombinedOutput(); err != nil {
		t.Fatalf("amtool check-config: %v\n%s", err, out)
	}
	tests := []struct {
		name   string
		labels []string
		want   string
	}{
		{"SLO page goes to the pager", []string{"alertname=" + AlertConnectionBudgetBurn, "severity=page", "service=voicewatch"}, ReceiverPager},
		{"SLO ticket goes to chat", []string{"alertname=" + AlertConnectionBudgetBurn, "severity=ticket", "service=voicewatch"}, ReceiverTicket},
		{"media core down pages", []string{"alertname=" + AlertMediaCoreDown, "severity=page", "service=voicewatch"}, ReceiverPager},
		{"policy violation is a ticket", []string{"alertname=" + AlertTTSPolicyViolation, "severity=ticket"}, ReceiverTicket},
		{"unlabelled alert falls back to ticket", []string{"alertname=Other"}, ReceiverTicket},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"config", "routes", "test", "--config.file=" + file, "--verify.receivers=" + tt.want}, tt.labels...)
			out, err := exec.Command(amtool, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("amtool %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		})
	}
}

// TestAlertmanagerNoSecrets makes sure only *_file paths, never secret
// values, end up in the committed config.
func TestAlertmanagerNoSecrets(t *testing.T) {
	cfg, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := cfg.AlertmanagerConfig()
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"routing_key:", "api_url:", "auth_password:", "service_key:"} {
		if strings.Contains(string(b), key) {
			t.Errorf("alertmanager config has an inline secret field %q; use the _file variant", key)
		}
	}
}
