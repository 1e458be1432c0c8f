package doccheck

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// documents returns the Markdown files checked, relative to the repository.
func documents(t *testing.T) []string {
	t.Helper()
	docs := []string{"README.md"}
	for _, g := range []string{"docs/*.md", "docs/runbooks/*.md"} {
		m, err := filepath.Glob(filepath.Join(repoRoot, g))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			rel, _ := filepath.Rel(repoRoot, f)
			docs = append(docs, filepath.ToSlash(rel))
		}
	}
	sort.Strings(docs)
	if len(docs) < 15 {
		t.Fatalf("found only %d documents", len(docs))
	}
	return docs
}

// TestDocsMatchCode checks every mention of every document against the
// code (see the package doc): a runbook that tells on-call to edit a key
// the loader rejects, curl a path nobody serves or run a flag the CLI
// lacks fails here.
func TestDocsMatchCode(t *testing.T) {
	e := getEnv(t)
	anchors := map[string]map[string]bool{}
	for _, doc := range documents(t) {
		t.Run(doc, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(repoRoot, doc))
			if err != nil {
				t.Fatal(err)
			}
			parsed := Parse(string(b))
			anchors[doc] = parsed.Anchors
			for _, m := range parsed.Mentions {
				for _, p := range e.problemsOf(doc, m, anchors) {
					t.Errorf("%s:%d: %s %q: %s", doc, m.Line, m.Kind, m.Text, p)
				}
			}
			for _, p := range e.checkPanels(string(b)) {
				t.Errorf("%s: %s", doc, p)
			}
		})
	}
}

// TestKnownBadMentionsAreCaught feeds the checker the mistakes the
// runbooks used to make; each must be reported.
func TestKnownBadMentionsAreCaught(t *testing.T) {
	e := getEnv(t)
	for _, tc := range []struct{ md, want string }{
		{"Remove it from `ice.stun_servers`.", "no config loader accepts"},
		{"Open `ice.udp_port_range` in the security group.", "no config loader accepts"},
		{"Run `probe http https://voice.example.com/healthz`.", "GET /healthz: neither"},
		{"`curl -s http://127.0.0.1:8080/healthz`", "GET /healthz: neither"},
		{"Set `RelayAcceptanceMinWait` low.", "write the YAML key `ice.relay_acceptance_min_wait`"},
		{"See [the design](../../DESIGN.md).", "no such file"},
		{"See [bench](../bench-e2e.md).", "no such file"},
		{"See [x](../metrics.md#no-such-heading).", "has no heading"},
		{"`agent alerts export --no-such-flag`", "has no flag --no-such-flag"},
		{"`agent alerts frobnicate`", "not a command"},
		{"`probe stun --no-such-flag`", "has no flag"},
		{"```sh\ndocker compose restart no-such-service\n```", "has no service"},
		{"```sh\nmake no-such-target\n```", "no target"},
		{"`amtool alert query --alertmanager-url=http://x alertname=A`", "has no flag --alertmanager-url"},
		{"`voice_no_such_metric_total`", "not a metric"},
		{"```promql\nsum(rate(voice_no_such_total[5m])\n  / 2\n```", "not valid PromQL"},
		{"```promql\nsum(rate(voice_no_such_total[5m]))\n  / 2\n```", "voice_no_such_total: not a metric"},
		{"`NoSuchAlertAnywhere`", "no alert"},
		{"**Voice agent overview › No such panel**", "has no panel"},
		{"`POST /no/such/route`", "neither the media core nor the sidecar"},
		{"`no_such_thing_anywhere`", "names nothing"},
		{"`docs/no-such-file.md`", "no such file"},
		{"| key | default |\n|---|---|\n| `listen_addr` | x |\n", "listen_addr: no config loader accepts"},
		{"```yaml\nrunbooks: {teem: x}\nservice: voicewatch\n```", "this YAML example does not load: the alerts config"},
		{"```yaml\nice:\n  stun_servers: [stun:x]\n```", "this YAML example does not load: voice.yaml"},
	} {
		doc := "docs/runbooks/x.md"
		if _, err := exec.LookPath("amtool"); err != nil && strings.Contains(tc.md, "amtool") {
			continue // amtool commands are checked only where amtool is installed
		}
		var problems []string
		for _, m := range Parse(tc.md).Mentions {
			problems = append(problems, e.problemsOf(doc, m, map[string]map[string]bool{})...)
		}
		problems = append(problems, e.checkPanels(tc.md)...)
		if !strings.Contains(strings.Join(problems, "\n"), tc.want) {
			t.Errorf("%q: want a problem containing %q, got %q", tc.md, tc.want, problems)
		}
	}
	// And good mentions pass.
	for _, md := range []string{
		"`ice.udp_port_min`", "`ice.relay_acceptance_min_wait`", "`/-/healthy`", "`POST /whip`", "`PATCH /whip/{id}`",
		"`agent alerts export --out DIR`", "`probe stun stun:127.0.0.1:3478`", "`ProbeSTUNFailing`", "`voice_connections_total{result=\"timeout\"}`",
		"**Voice agent overview › Connection success rate**", "`providers.tts.elevenlabs.voice_id`", "`scrape.targets[].url`",
	} {
		for _, m := range Parse(md).Mentions {
			if p := e.problemsOf("docs/runbooks/x.md", m, map[string]map[string]bool{}); len(p) > 0 {
				t.Errorf("%s: unexpected problems %q", md, p)
			}
		}
	}
}

// TestNoCitationOfMissingDocuments fails when code or docs cite a document
// that is not in the repository.
func TestNoCitationOfMissingDocuments(t *testing.T) {
	out, err := exec.Command("git", "-C", repoRoot, "ls-files").Output()
	if err != nil {
		t.Skipf("git ls-files: %v", err)
	}
	self := "internal/doccheck/docs_test.go"
	banned := []string{"DESIGN" + ".md", "STYLE" + ".md", "bench-e2e" + ".md", "/work/" + "shared"}
	for _, f := range strings.Fields(string(out)) {
		if f == self || !(strings.HasSuffix(f, ".go") || strings.HasSuffix(f, ".md") || strings.HasSuffix(f, ".yaml") || strings.HasSuffix(f, ".yml") || strings.HasSuffix(f, ".sh") || f == "Makefile" || f == "Dockerfile") {
			continue
		}
		fh, err := os.Open(filepath.Join(repoRoot, f))
		if err != nil {
			continue // deleted in the work tree
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for n := 1; sc.Scan(); n++ {
			for _, b := range banned {
				if strings.Contains(sc.Text(), b) {
					t.Errorf("%s:%d cites %s, which is not in the repository", f, n, b)
				}
			}
		}
		fh.Close()
	}
}

var _ = fmt.Sprintf
