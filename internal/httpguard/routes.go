package httpguard

import (
	"fmt"
	"strings"
)

// BenignRoutes are paths that browsers, crawlers and monitors ask every site
// for. A request for one of them is never reported as PatternUnknownRoute,
// whether or not the application serves it: a 404 for /robots.txt is
// neither an attack nor an error.
var BenignRoutes = []string{
	"/robots.txt",
	"/favicon.ico",
	"/favicon-*.png",
	"/apple-touch-icon*.png",
	"/sitemap.xml",
	"/humans.txt",
	"/ads.txt",
	"/.well-known/**",
}

// Routes is a route allow-list: the paths an application serves, as globs.
// A request for any other path is PatternUnknownRoute (see
// [Classifier.Classify]).
//
// A glob is matched against the raw path of the request-target (the part
// before '?' or '#', still percent-encoded), segment by segment: '*'
// matches any run of bytes other than '/' within a segment, and a segment
// that is exactly "**" matches any number of segments, including none. So
// "/whip/*" matches "/whip/abc" but not "/whip" or "/whip/abc/events",
// "/static/**" matches "/static" and everything under it, and
// "/assets/*.js" matches "/assets/index-BxK2.js".
type Routes struct {
	globs []string
	// literal holds the globs without a wildcard.
	literal []string
	// wild are the other globs, and prefixes[i] the literal start of
	// wild[i] up to its first '*': a path without it cannot match, which
	// Serves checks first.
	wild, prefixes []string
}

// ParseRoutes compiles globs (plus [BenignRoutes]). Every glob must start
// with '/', contain no '?' or '#', and use "**" only as a whole segment.
// An empty list is an error: a nil *Routes means "every path is served".
func ParseRoutes(globs []string) (*Routes, error) {
	if len(globs) == 0 {
		return nil, fmt.Errorf("%w: routes: empty list (leave routes unset to serve every path)", ErrInvalidConfig)
	}
	r := &Routes{}
	for i, g := range append(append([]string(nil), globs...), BenignRoutes...) {
		if err := checkGlob(g); err != nil {
			return nil, fmt.Errorf("%w: routes[%d] %q: %w", ErrInvalidConfig, i, g, err)
		}
		r.globs = append(r.globs, g)
		p, _, wild := strings.Cut(g, "*")
		if !wild {
			r.literal = append(r.literal, g)
			continue
		}
		r.wild = append(r.wild, g)
		r.prefixes = append(r.prefixes, strings.TrimSuffix(p, "/")) // "/static/**" also serves "/static"
	}
	return r, nil
}

// MustParseRoutes is ParseRoutes for globs known to be valid; it panics
// otherwise. For package-level variables and tests.
func MustParseRoutes(globs ...string) *Routes {
	r, err := ParseRoutes(globs)
	if err != nil {
		panic(err)
	}
	return r
}

// Globs returns the globs of r, benign routes included. The caller owns
// the slice.
func (r *Routes) Globs() []string { return append([]string(nil), r.globs...) }

func checkGlob(g string) error {
	if !strings.HasPrefix(g, "/") {
		return fmt.Errorf("must start with /")
	}
	if strings.ContainsAny(g, "?#") {
		return fmt.Errorf("must not contain ? or # (routes match the path only)")
	}
	for _, seg := range strings.Split(g[1:], "/") {
		if strings.Contains(seg, "**") && seg != "**" {
			return fmt.Errorf(`"**" must be a whole segment, as in /static/**`)
		}
	}
	return nil
}

// Serves reports whether the path of target (origin-form, as a request
// line carries it) matches one of the routes. "*" (OPTIONS *) and an empty
// target are always served. Serves does not allocate.
func (r *Routes) Serves(target string) bool {
	p := target
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if i := strings.IndexByte(p, '#'); i >= 0 {
		p = p[:i]
	}
	if p == "" || p == "*" {
		return true
	}
	for _, l := range r.literal {
		if p == l {
			return true
		}
	}
	for i, g := range r.wild {
		if strings.HasPrefix(p, r.prefixes[i]) && globMatch(g, p) {
			return true
		}
	}
	return false
}

// globMatch matches path p against glob g, both starting with '/'.
func globMatch(g, p string) bool {
	if len(p) == 0 || p[0] != '/' {
		return false
	}
	return segsMatch(g[1:], p[1:])
}

// segsMatch matches the segments of g against those of p (both without
// their leading '/').
func segsMatch(g, p string) bool {
	for {
		gs, grest, gmore := cutSegment(g)
		if gs == "**" {
			if !gmore {
				return true
			}
			for i := 0; ; {
				if segsMatch(grest, p[i:]) {
					return true
				}
				j := strings.IndexByte(p[i:], '/')
				if j < 0 {
					return false
				}
				i += j + 1
			}
		}
		ps, prest, pmore := cutSegment(p)
		if !segMatch(gs, ps) {
			return false
		}
		switch {
		case !gmore:
			return !pmore
		case !pmore:
			return grest == "**"
		}
		g, p = grest, prest
	}
}

// cutSegment splits s at its first '/'.
func cutSegment(s string) (seg, rest string, more bool) {
	if i := strings.IndexByte(s, '/'); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

// segMatch matches one segment s against the pattern g, where '*' matches
// any run of bytes.
func segMatch(g, s string) bool {
	star, mark := -1, 0
	i, j := 0, 0
	for j < len(s) {
		switch {
		case i < len(g) && g[i] == '*':
			star, mark = i, j
			i++
		case i < len(g) && g[i] == s[j]:
			i++
			j++
		case star >= 0:
			i, mark = star+1, mark+1
			j = mark
		default:
			return false
		}
	}
	for i < len(g) && g[i] == '*' {
		i++
	}
	return i == len(g)
}
