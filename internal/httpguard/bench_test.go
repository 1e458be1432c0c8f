package httpguard

import (
	"net/netip"
	"regexp"
	"strings"
	"testing"
)

// benchCorpus is a mixed corpus: mostly legitimate traffic, as the media
// core and the sidecar see it, with the incident's scanner lines.
var benchCorpus = []string{
	"POST /whip HTTP/1.1",
	"PATCH /whip/3f2a9c1e-7b4d-4c2a-9e1f-0a1b2c3d4e5f HTTP/1.1",
	"GET /whip/3f2a9c1e-7b4d-4c2a-9e1f-0a1b2c3d4e5f/events HTTP/1.1",
	"DELETE /whip/3f2a9c1e-7b4d-4c2a-9e1f-0a1b2c3d4e5f HTTP/1.1",
	"GET /metrics HTTP/1.1",
	"GET /-/healthy HTTP/1.1",
	"GET /static/js/main.3f2a9c1e.chunk.js HTTP/1.1",
	"GET /probe?target=stun%3A127.0.0.1%3A3478&module=stun HTTP/1.1",
	"GET /api/v1/sessions/42/events?since=2025-01-01T00:00:00Z HTTP/1.1",
	"GET / HTTP/1.1",
	"GET /console/css/%252e%252e%252fconsole.portal HTTP/1.1",
	"GET /bsguest.cgi?email=x;/usr/sbin/sendmail%20-t HTTP/1.1",
	"ABCD / HTTP/1.1",
	"GET /.env HTTP/1.1",
	"GET /wp-login.php HTTP/1.1",
	"GET /vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php HTTP/1.1",
}

type benchReq struct{ method, target string }

func benchRequests(b *testing.B) []benchReq {
	out := make([]benchReq, len(benchCorpus))
	for i, line := range benchCorpus {
		out[i].method, out[i].target = splitRequestLine(b, line)
	}
	return out
}

var sink Pattern

// BenchmarkClassify runs Classify over the mixed corpus; ns/op is per request.
func BenchmarkClassify(b *testing.B) {
	reqs := benchRequests(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		r := reqs[i%len(reqs)]
		sink = Classify(r.method, r.target)
	}
}

// benchRequestsUA is the mixed corpus as the guard sees it: with the
// User-Agent of each request (browsers for most, scanners for some).
var benchRequestsUA = func() []benchReqUA {
	const (
		chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
		safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
	)
	uas := []string{chrome, chrome, safari, chrome, "Prometheus/2.42.0", "ELB-HealthChecker/2.0", safari, "Go-http-client/1.1",
		chrome, safari, "Mozilla/5.0 zgrab/0.x", "-", "", "curl/7.88.1", "Mozilla/5.0 (compatible; Nmap Scripting Engine)", "Go-http-client/1.1"}
	out := make([]benchReqUA, len(benchCorpus))
	for i, line := range benchCorpus {
		f := strings.Fields(line)
		out[i] = benchReqUA{method: f[0], target: f[1], ua: uas[i]}
	}
	return out
}()

type benchReqUA struct{ method, target, ua string }

// BenchmarkClassifyRequest is what the guard runs per request: the same
// mixed corpus as BenchmarkClassify, plus each request's User-Agent and
// the media core's route allow-list. Compare with BenchmarkClassify of the
// commit before route and User-Agent checks (docs/benchmarks.md).
func BenchmarkClassifyRequest(b *testing.B) {
	c := NewClassifier(MustParseRoutes("/", "/static/**", "/whip", "/whip/*", "/whip/*/events", "/metrics", "/-/healthy", "/-/ready"))
	reqs := benchRequestsUA
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		r := reqs[i%len(reqs)]
		sink = c.Classify(r.method, r.target, r.ua)
	}
}

// BenchmarkClassifyRegexp is the baseline: the same decision made with
// EREs compiled by Go's regexp package.
func BenchmarkClassifyRegexp(b *testing.B) {
	reqs := benchRequests(b)
	rc := newRegexpClassifier(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		r := reqs[i%len(reqs)]
		sink = rc.classify(r.method, r.target)
	}
}

// regexpClassifier classifies with EREs(): the documented way to use them.
type regexpClassifier struct {
	order []Pattern
	res   []*regexp.Regexp
}

func newRegexpClassifier(tb testing.TB) *regexpClassifier {
	tb.Helper()
	rc := &regexpClassifier{}
	eres := EREs()
	for _, p := range Patterns() {
		ere, ok := eres[p]
		if !ok {
			continue
		}
		re, err := regexp.Compile("(?i)" + ere)
		if err != nil {
			tb.Fatalf("EREs()[%q] does not compile: %v", p, err)
		}
		rc.order = append(rc.order, p)
		rc.res = append(rc.res, re)
	}
	return rc
}

func (rc *regexpClassifier) classify(method, target string) Pattern {
	if method != "" && !KnownMethod(method) {
		return PatternInvalidMethod
	}
	for i, re := range rc.res {
		if re.MatchString(target) {
			return rc.order[i]
		}
	}
	return PatternNone
}

// BenchmarkClientIP resolves a client behind a two-proxy chain.
func BenchmarkClientIP(b *testing.B) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}
	peer := netip.MustParseAddr("10.0.1.2")
	b.ReportAllocs()
	for range b.N {
		sinkAddr = ClientIP(peer, "198.51.100.1, 203.0.113.7, 10.0.5.5", trusted)
	}
}

var sinkAddr netip.Addr
