package waf

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"
)

// regexStrings returns every RegexString of the plan's statements.
func regexStrings(p *Plan) []string {
	var out []string
	var walk func(st *types.Statement)
	walk = func(st *types.Statement) {
		switch {
		case st == nil:
		case st.RegexMatchStatement != nil:
			out = append(out, aws.ToString(st.RegexMatchStatement.RegexString))
		case st.OrStatement != nil:
			for i := range st.OrStatement.Statements {
				walk(&st.OrStatement.Statements[i])
			}
		case st.NotStatement != nil:
			walk(st.NotStatement.Statement)
		}
	}
	for _, r := range p.WebACL.Rules {
		walk(r.Statement)
	}
	return out
}

// TestRegexesArePCRE: AWS WAF evaluates regular expressions with PCRE
// (libpcre syntax), not Go's RE2. Every generated expression must compile
// with a real PCRE engine, GNU grep -P, and match as many of a set of
// decoded, lowercased targets and User-Agents there as in Go's regexp
// (which the corpus test evaluates them with).
func TestRegexesArePCRE(t *testing.T) {
	grep, err := exec.LookPath("grep")
	if err == nil {
		err = exec.Command(grep, "-P", "x").Run() // exit 1 (no match on empty stdin) when -P works
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
			err = nil
		}
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("grep -P (PCRE) not available: %v", err)
		}
		t.Skipf("grep -P (PCRE) not available: %v", err)
	}
	plan := mustBuild(t, Config{Routes: mediaCoreRoutes})
	res := regexStrings(plan)
	if len(res) < 10 {
		t.Fatalf("only %d regular expressions", len(res))
	}
	input := strings.Join([]string{
		"/console/css/%2e%2e%2fconsole.portal", "/?x=${jndi:ldap://x/a}", "/?id=1 union select 1,2",
		"/wp-login.php", "/.env", "/backup.zip", "sqlmap/1.7.2#stable", "mozilla/5.0 (compatible; nmap scripting engine)",
		"/whip", "/static/app.js", "/", "/-/healthy",
	}, "\n") + "\n"
	matched := 0
	for _, re := range res {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		cmd := exec.CommandContext(ctx, grep, "-P", "-c", "-e", re)
		cmd.Stdin = strings.NewReader(input)
		cmd.Env = []string{"LC_ALL=C"}
		out, err := cmd.CombinedOutput()
		cancel()
		if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 1) {
			t.Errorf("PCRE rejects %s: %v %s", re, err, out)
			continue
		}
		want := 0
		goRE := regexp.MustCompile(re)
		for _, l := range strings.Split(strings.TrimSuffix(input, "\n"), "\n") {
			if goRE.MatchString(l) {
				want++
			}
		}
		if got, _ := strconv.Atoi(strings.TrimSpace(string(out))); got != want {
			t.Errorf("%s: PCRE matches %d lines, Go's regexp %d", re, got, want)
		}
		matched += want
	}
	if matched < 8 {
		t.Errorf("the expressions match %d of the sample lines, want the 8 attacks at least", matched)
	}
}
