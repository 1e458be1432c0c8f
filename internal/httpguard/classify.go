package httpguard

// Classify returns the scanner signature of a request, or PatternNone for a
// request that looks legitimate. It is [Classifier.Classify] without a
// User-Agent and without a route allow-list.
//
// method is the request method as sent ("" when the log format has none;
// an empty method is not itself suspicious). target is the request-target as
// it appears on the request line or in an access log: a path with an
// optional ?query, possibly in absolute-form ("http://host/path"), still
// percent-encoded. Matching is ASCII case-insensitive and sees through one
// or two rounds of percent-encoding (and the overlong UTF-8 forms %c0%ae and
// %c0%af), without allocating.
//
// When several signatures match, the one first in [Patterns] order wins.
func Classify(method, target string) Pattern {
	return defaultClassifier.Classify(method, target, "")
}

var defaultClassifier = &Classifier{}

// Classifier classifies requests by method, request-target and
// User-Agent, and, when it has routes, reports requests for paths the
// application does not serve. The zero value has no routes. It is safe for
// concurrent use and does not allocate.
type Classifier struct {
	routes *Routes
}

// NewClassifier returns a Classifier with the route allow-list routes (nil:
// every path is served, PatternUnknownRoute is never returned).
func NewClassifier(routes *Routes) *Classifier {
	return &Classifier{routes: routes}
}

// Classify returns the scanner signature of a request, or PatternNone. See
// the package function [Classify] for method and target; userAgent is the
// User-Agent header value ("" when unknown or absent): exploit payloads
// (JNDI lookups, template, SQL and command injection, XSS, PHP code) and
// known scanning tools are looked for in it. A request that matches no
// signature but asks for a path outside the routes is
// PatternUnknownRoute.
func (c *Classifier) Classify(method, target, userAgent string) Pattern {
	if method != "" && !KnownMethod(method) {
		return PatternInvalidMethod
	}
	t := stripAuthority(target)
	best := scan(t, targetTable, noRank)
	if best > rankFirstPath && userAgent != "" {
		best = scan(userAgent, uaTable, best)
	}
	if best == noRank && c.routes != nil && !c.routes.Serves(t) {
		best = rankUnknownRoute
	}
	return byRank[best]
}

// KnownMethod reports whether m is one of the methods voicewatch serves:
// GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS. Methods are case-sensitive
// (RFC 9110, section 9.1), so "get" is not known.
func KnownMethod(m string) bool {
	switch m {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
		return true
	}
	return false
}

// allowedMethods is the Allow header value for 405 responses.
const allowedMethods = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"

// stripAuthority turns an absolute-form target ("http://host:80/p?q") into
// its origin-form ("/p?q"); other targets are returned unchanged.
func stripAuthority(t string) string {
	var rest string
	switch {
	case hasPrefixFold(t, "http://"):
		rest = t[len("http://"):]
	case hasPrefixFold(t, "https://"):
		rest = t[len("https://"):]
	default:
		return t
	}
	for i := 0; i < len(rest); i++ {
		switch rest[i] {
		case '/':
			return rest[i:]
		case '?':
			return "/" // "/" + query would allocate; the query of "http://h?q" is not scanned.
		}
	}
	return "/"
}

// hasPrefixFold is strings.HasPrefix with ASCII case folding; prefix is lowercase.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lower(s[i]) != prefix[i] {
			return false
		}
	}
	return true
}

// scan returns the rank of the best pattern of tb matching t, or best if
// none is better.
func scan(t string, tb *table, best int) int {
	if tb.hasWords && len(t) > 1 {
		if d0, d1 := t[0], t[1]; d0 == '%' || d1 == '%' || tb.wordPairs.has(lowerTab[d0], lowerTab[d1]) {
			best = wordAt(t, 0, tb, best)
		}
	}
	var prev byte
	sp := &tb.special
	for i := 0; i < len(t); {
		if !sp[t[i]] {
			// Plain bytes can neither start a match nor decode to one:
			// skip the run, remembering the last as the previous byte.
			for i++; i < len(t) && !sp[t[i]]; i++ {
			}
			prev = t[i-1]
			continue
		}
		c, n := t[i], 1 // decodeAt, by hand: the compiler does not inline it
		if c == '%' {
			c, n = decodePercent(t, i)
		} else {
			c = lowerTab[c]
		}
		if c == '.' && tb.traversal && rankTraversal < best && isTraversal(t, i+n, prev) {
			best = rankTraversal
		}
		if i+n < len(t) {
			if idx := tb.index[c]; idx != nil {
				c1, n1 := decodeAt(t, i+n)
				for _, r := range idx[c1] {
					if r.rank < best && r.may(t, i+n+n1) && matchAt(t, i+n+n1, r) {
						best = r.rank
					}
				}
			}
			if tb.hasWords && tb.sep[c] && i+n+1 < len(t) {
				// wordAt, by hand for the common miss: no word starts
				// with the next two bytes.
				if d0, d1 := t[i+n], t[i+n+1]; d0 == '%' || d1 == '%' || tb.wordPairs.has(lowerTab[d0], lowerTab[d1]) {
					best = wordAt(t, i+n, tb, best)
				}
			}
		}
		if best <= rankFirstPath {
			return best
		}
		prev = c
		i += n
	}
	return best
}

// wordAt tries the word needles of tb at t[j:].
func wordAt(t string, j int, tb *table, best int) int {
	if j+1 >= len(t) {
		return best
	}
	var c0, c1 byte
	var n0, n1 int
	if t[j] != '%' && t[j+1] != '%' { // the common case, by hand
		c0, c1, n0, n1 = lowerTab[t[j]], lowerTab[t[j+1]], 1, 1
	} else {
		c0, n0 = decodeAt(t, j)
		if j+n0 >= len(t) {
			return best
		}
		c1, n1 = decodeAt(t, j+n0)
	}
	idx := tb.words[c0]
	if idx == nil {
		return best
	}
	for _, r := range idx[c1] {
		if r.rank < best && r.may(t, j+n0+n1) && matchAt(t, j+n0+n1, r) {
			best = r.rank
		}
	}
	return best
}

// isTraversal reports whether a '.' that ends just before t[j] starts a
// traversal: "..", followed by '/', '\' or ';' (Tomcat's "..;/"), or a
// trailing "/.." at the end of the path or a query parameter.
func isTraversal(t string, j int, prev byte) bool {
	if j >= len(t) {
		return false
	}
	c, n := decodeAt(t, j)
	if c != '.' {
		return false
	}
	j += n
	if j == len(t) {
		return prev == '/' || prev == '\\'
	}
	c, _ = decodeAt(t, j)
	switch c {
	case '/', '\\', ';':
		return true
	case '?', '#', '&', ' ', '"':
		return prev == '/' || prev == '\\'
	}
	return false
}

// matchAt reports whether the compiled rule r matches the decoded target,
// given that its first two bytes matched and the rest starts at raw offset i.
// A ' ' in the needle matches one or more blanks.
func matchAt(t string, i int, r *compiledRule) bool {
	k := 2
	if r.needle[1] == ' ' {
		i = skipBlanks(t, i)
	}
	for ; k < len(r.needle); k++ {
		if i >= len(t) {
			return false
		}
		c, n := t[i], 1
		if c == '%' {
			c, n = decodePercent(t, i)
		} else {
			c = lowerTab[c]
		}
		want := r.needle[k]
		if want == ' ' {
			if !isBlank(c) {
				return false
			}
			i = skipBlanks(t, i+n)
			continue
		}
		if c != want {
			return false
		}
		i += n
	}
	if !r.bounded || i == len(t) {
		return true
	}
	c, _ := decodeAt(t, i)
	return isBoundary(c)
}

// skipBlanks returns the offset of the first non-blank decoded byte at or
// after t[i:].
func skipBlanks(t string, i int) int {
	for i < len(t) {
		c, n := decodeAt(t, i)
		if !isBlank(c) {
			break
		}
		i += n
	}
	return i
}

// decodeAt returns the byte at t[i] after up to two rounds of
// percent-decoding, with ASCII letters lowercased, and the number of raw
// bytes it spans: 1 for a plain byte, 3 for %XX, 5 for %25XX (double
// encoding), 6 for the overlong UTF-8 dot and slash %c0%ae and %c0%af. A '%'
// not followed by two hex digits is returned as itself.
func decodeAt(t string, i int) (byte, int) {
	if c := t[i]; c != '%' { // the common case, small enough to inline
		return lowerTab[c], 1
	}
	return decodePercent(t, i)
}

// lowerTab maps every byte to its ASCII lowercase.
var lowerTab = func() (tab [256]byte) {
	for i := range tab {
		tab[i] = lower(byte(i))
	}
	return tab
}()

// decodePercent is decodeAt for a '%' at t[i].
func decodePercent(t string, i int) (byte, int) {
	if i+2 >= len(t) {
		return '%', 1
	}
	h, ok := unhex2(t[i+1], t[i+2])
	if !ok {
		return '%', 1
	}
	switch h {
	case '%':
		if i+4 < len(t) {
			if h2, ok := unhex2(t[i+3], t[i+4]); ok {
				return lower(h2), 5
			}
		}
	case 0xc0:
		if i+5 < len(t) && t[i+3] == '%' && lower(t[i+4]) == 'a' {
			switch lower(t[i+5]) {
			case 'e':
				return '.', 6
			case 'f':
				return '/', 6
			}
		}
	}
	return lower(h), 3
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func unhex2(a, b byte) (byte, bool) {
	hi, ok1 := unhex(a)
	lo, ok2 := unhex(b)
	return hi<<4 | lo, ok1 && ok2
}
