package httpguard

import (
	"regexp"
	"strings"
	"testing"
)

// decodeTwice percent-decodes s twice and lowercases it, as a WAF's
// URL_DECODE, URL_DECODE_UNI and LOWERCASE transformations do (a '%' not
// followed by two hex digits is kept).
func decodeTwice(s string) string {
	for range 2 {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			if s[i] == '%' && i+2 < len(s) {
				if h, ok := unhex2(s[i+1], s[i+2]); ok {
					b.WriteByte(h)
					i += 2
					continue
				}
			}
			b.WriteByte(s[i])
		}
		s = b.String()
	}
	return strings.ToLower(s)
}

// TestDecodedRegexpsAgreeWithClassify: on every corpus target and User-Agent
// (overlong UTF-8 aside), the decoded-text expressions detect a signature
// exactly when Classify does.
func TestDecodedRegexpsAgreeWithClassify(t *testing.T) {
	compile := func(f Field) []*regexp.Regexp {
		var res []*regexp.Regexp
		for _, a := range DecodedRegexps(f, 200) {
			if len(a) > 200 {
				t.Errorf("%d bytes, over the limit of 200: %s", len(a), a)
			}
			res = append(res, regexp.MustCompile(a))
		}
		return res
	}
	target, ua := compile(FieldTarget), compile(FieldUserAgent)
	any := func(res []*regexp.Regexp, s string) bool {
		for _, re := range res {
			if re.MatchString(s) {
				return true
			}
		}
		return false
	}
	check := func(target0, ua0 string) {
		if strings.Contains(strings.ToLower(target0), "%c0%a") {
			return // overlong UTF-8: Classify only
		}
		got := any(target, decodeTwice(stripAuthority(target0))) || (ua0 != "" && any(ua, strings.ToLower(ua0)))
		p := NewClassifier(nil).Classify("", target0, ua0)
		if want := p != PatternNone; got != want {
			t.Errorf("target %q UA %q: regexps say %v, Classify %q", target0, ua0, got, p)
		}
	}
	for _, line := range benchCorpus {
		_, tg := splitRequestLine(t, line)
		check(tg, "")
	}
	for _, r := range benchRequestsUA {
		check(r.target, r.ua)
	}
	for _, tg := range legitimateTargets {
		check(tg, "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
	}
	for _, r := range rules {
		n := strings.ReplaceAll(r.needle, "\n", "%0a")
		if r.flags&inTarget != 0 {
			check("/x?q=a+"+n, "")
			check("/x/"+n+"y", "")
		}
		if r.flags&inUA != 0 {
			check("/", "Mozilla/5.0 ("+n)
			check("/", n+"y")
		}
	}
}

func TestRoutesRegexpAgreesWithServes(t *testing.T) {
	r := MustParseRoutes("/", "/whip", "/whip/*", "/whip/*/events", "/static/**", "/assets/*.js", "/a/**/z", "/-/healthy")
	re := regexp.MustCompile(r.Regexp())
	for _, p := range []string{"/", "/whip", "/whip/abc", "/whip/abc/events", "/whip/abc/other", "/whip/", "/whipx",
		"/static", "/static/", "/static/js/app.js", "/staticx", "/assets/index-BxK2.js", "/assets/index.css",
		"/a/z", "/a/b/c/z", "/a/b/c", "/robots.txt", "/.well-known/acme-challenge/x", "/favicon.ico",
		"/wp-login.php", "/-/healthy", "/-/healthyx", "/apple-touch-icon-precomposed.png"} {
		if got, want := re.MatchString(p), r.Serves(p); got != want {
			t.Errorf("%q: regexp %v, Serves %v (%s)", p, got, want, r.Regexp())
		}
	}
}
