package voice

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
)

// pageCSP is the test page's Content-Security-Policy: nothing loads but the
// page's own inline scripts and style (pinned by hash, so an injected
// inline script cannot run) and scripts of this origin (the reconnect
// module the page imports, the quality charts), fetches and the event
// WebSocket go to the same origin only, and no other site may frame the
// page (clickjacking). The origin serves no content a caller controls, so
// 'self' admits only the media core's own static files.
var pageCSP = buildPageCSP()

var (
	inlineScript = regexp.MustCompile(`(?s)<script(?: type="module")?>(.*?)</script>`)
	inlineStyle  = regexp.MustCompile(`(?s)<style>(.*?)</style>`)
	// pinnedScript is a same-origin script with its subresource integrity
	// hash (the quality charts, static/quality.js): the policy allows it by
	// that hash, and the browser checks the file against it.
	pinnedScript = regexp.MustCompile(`<script src="/static/([a-z0-9._-]+)" integrity="(sha256-[A-Za-z0-9+/=]+)"></script>`)
)

func buildPageCSP() string {
	page, err := staticFS.ReadFile("static/index.html")
	if err != nil {
		return "default-src 'none'; frame-ancestors 'none'"
	}
	hashes := func(re *regexp.Regexp) string {
		var out []string
		for _, m := range re.FindAllSubmatch(page, -1) {
			sum := sha256.Sum256(m[1])
			out = append(out, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
		}
		if len(out) == 0 {
			return "'none'"
		}
		return strings.Join(out, " ")
	}
	scripts := hashes(inlineScript)
	for _, m := range pinnedScript.FindAllSubmatch(page, -1) {
		scripts += " '" + string(m[2]) + "'"
	}
	return "default-src 'none'; script-src 'self' " + scripts + "; style-src " + hashes(inlineStyle) +
		"; connect-src 'self'; img-src 'self' data:; media-src 'self' blob: mediastream:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

// securityHeaders sets the headers every page response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", pageCSP)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Permissions-Policy", "camera=(), geolocation=(), microphone=(self)")
		next.ServeHTTP(w, r)
	})
}
