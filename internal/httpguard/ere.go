package httpguard

import "strings"

// ERE building blocks: a decoded '.', '/' or '\' in its plain, percent-,
// double-percent- and (for '.' and '/') overlong UTF-8-encoded forms.
const (
	ereDot   = `(\.|%2e|%252e|%c0%ae)`
	ereSlash = `(/|%2f|%252f|%c0%af)`
	ereBack  = `(\\|%5c|%255c)`
	// ereBoundary mirrors isBoundary.
	ereBoundary = `(` + ereSlash + `|` + ereDot + `|` + ereBack + `|[?#;&= "]|$)`
	// ereTraversal mirrors isTraversal.
	ereTraversal = ereDot + ereDot + `(` + ereSlash + `|` + ereBack + `|;)|` +
		`(` + ereSlash + `|` + ereBack + `)` + ereDot + ereDot + `([?#& "]|$)`
	// ereBlank mirrors a ' ' in a needle (isBlank): raw tab, CR and LF
	// cannot occur in a request line, so they are spelled encoded.
	ereBlank = `([ +]|%09|%0a|%0d|%20)+`
	// ereWordStart mirrors where a word needle may start (separators).
	ereWordStart = `(^|[][ +/()<>,;=&?'"|` + "`" + `{}:]|%09|%0a|%0d)`
)

// EREs returns, for every Pattern that Classify derives from the
// request-target alone, a POSIX extended regular expression equivalent to
// Classify's rules for that pattern. PatternInvalidMethod,
// PatternScannerAgent and PatternUnknownRoute have no entry: they depend on
// the method, the User-Agent and the configured routes.
//
// The expressions are unanchored, so they work on a bare request-target or
// on a whole access-log line, and are meant to be matched
// case-insensitively: `grep -E -i`, or prefix "(?i)" for Go's regexp. They
// cover the plain needles and '.', '/' and '\' percent-encoded once or
// twice; Classify additionally decodes any other percent-encoded byte and
// strips the scheme and authority of absolute-form targets. To classify
// with them, try the patterns in [Patterns] order and take the first match.
func EREs() map[Pattern]string {
	alts := make(map[Pattern][]string, len(patterns))
	alts[PatternPathTraversal] = append(alts[PatternPathTraversal], ereTraversal)
	for _, r := range rules {
		if r.flags&inTarget == 0 {
			continue
		}
		alts[r.pattern] = append(alts[r.pattern], needleERE(r))
	}
	out := make(map[Pattern]string, len(alts))
	for p, a := range alts {
		out[p] = strings.Join(a, "|")
	}
	return out
}

// needleERE spells one rule as an ERE.
func needleERE(r rule) string {
	var b strings.Builder
	if r.flags&word != 0 {
		b.WriteString(ereWordStart)
	}
	for i := 0; i < len(r.needle); i++ {
		switch c := r.needle[i]; c {
		case ' ':
			b.WriteString(ereBlank)
		case '\n':
			b.WriteString("%0a")
		case '.':
			b.WriteString(ereDot)
		case '/':
			b.WriteString(ereSlash)
		case '\\':
			b.WriteString(ereBack)
		case '$', '(', ')', '|', '+', '{', '}', '[', ']', '^', '*', '?':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	if r.bounded {
		b.WriteString(ereBoundary)
	}
	return b.String()
}
