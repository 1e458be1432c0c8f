package httpguard

// Classify returns the scanner signature of a request, or PatternNone for a
// request that looks legitimate.
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
	if method != "" && !KnownMethod(method) {
		return PatternInvalidMethod
	}
	return byRank[classifyTarget(stripAuthority(target))]
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

// classifyTarget returns the rank of the best pattern matching t, or noRank.
func classifyTarget(t string) int {
	best := noRank
	var prev byte
	tab, sp := index, special
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
		if c == '.' && rankTraversal < best && isTraversal(t, i+n, prev) {
			best = rankTraversal
		}
		if idx := tab[c]; idx != nil && i+n < len(t) {
			c1, n1 := decodeAt(t, i+n)
			for _, r := range idx[c1] {
				if r.rank < best && matchAt(t, i+n+n1, r) {
					best = r.rank
				}
			}
		}
		if best == rankFirstPath {
			return best
		}
		prev = c
		i += n
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
func matchAt(t string, i int, r *compiledRule) bool {
	for k := 2; k < len(r.needle); k++ {
		if i >= len(t) {
			return false
		}
		c, n := t[i], 1
		if c == '%' {
			c, n = decodePercent(t, i)
		} else {
			c = lowerTab[c]
		}
		if c != r.needle[k] {
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
