package httpguard

import (
	"regexp"
	"slices"
	"strings"
)

// Field names an input Classify looks at.
type Field int

// The fields of a request Classify inspects.
const (
	// FieldTarget is the request-target: the path and the query.
	FieldTarget Field = iota
	// FieldUserAgent is the User-Agent header.
	FieldUserAgent
)

// Regex building blocks for decoded, lowercased text.
const (
	reBlank    = `[ +\t\r\n]+`
	reBoundary = `([/.?#;&= "\\]|$)`
	reTraverse = `\.\.[/\\;]|[/\\]\.\.([?#& "]|$)`
)

// DecodedRegexps returns, for the signatures of patterns (none: all) that
// apply to field f, regular expressions of at most maxLen bytes (the
// syntax common to RE2 and PCRE: groups, classes, alternation, ^ and $)
// that match the field's text after it has been percent-decoded twice and
// lowercased — what a web application firewall sees after its URL_DECODE,
// URL_DECODE_UNI and LOWERCASE text transformations. Needles sharing an
// anchoring are grouped into one alternation, so the expressions are few
// and short. They are the signatures Classify uses, spelled for engines
// that cannot run Classify (AWS WAF; see internal/waf). Differences, by
// design: the overlong UTF-8 forms %c0%ae and %c0%af are not decoded by
// such engines, and PatternInvalidMethod and PatternUnknownRoute (see
// [Routes.Regexp]) are not signatures. maxLen must leave room for one
// needle (at least 128).
func DecodedRegexps(f Field, maxLen int, patterns ...Pattern) []string {
	where, seps := inTarget, separators
	if f == FieldUserAgent {
		where, seps = inUA, uaSeparators
	}
	// group is an anchoring: the word bit, plus 1<<7 for bounded.
	type group ruleFlags
	var order []group
	needles := map[group][]string{}
	for _, r := range rules {
		if r.flags&where == 0 || len(patterns) > 0 && !slices.Contains(patterns, r.pattern) {
			continue
		}
		g := group(r.flags & word)
		if r.bounded {
			g |= 1 << 7
		}
		if _, ok := needles[g]; !ok {
			order = append(order, g)
		}
		needles[g] = append(needles[g], needleRegexp(r.needle))
	}
	var out []string
	if f == FieldTarget && (len(patterns) == 0 || slices.Contains(patterns, PatternPathTraversal)) {
		out = append(out, reTraverse)
	}
	wordStart := `(^|[` + classOf(seps) + `])`
	for _, g := range order {
		prefix, suffix := "(", ")"
		if ruleFlags(g)&word != 0 {
			prefix = wordStart + prefix
		}
		if g&(1<<7) != 0 {
			suffix += reBoundary
		}
		var cur []string
		n := len(prefix) + len(suffix)
		flush := func() {
			if len(cur) > 0 {
				out = append(out, prefix+strings.Join(cur, "|")+suffix)
			}
			cur, n = nil, len(prefix)+len(suffix)
		}
		for _, nd := range needles[g] {
			if n+len(nd)+1 > maxLen {
				flush()
			}
			cur = append(cur, nd)
			n += len(nd) + 1
		}
		flush()
	}
	return out
}

// needleRegexp spells a needle for decoded text.
func needleRegexp(needle string) string {
	var b strings.Builder
	for i := 0; i < len(needle); i++ {
		switch c := needle[i]; c {
		case ' ':
			b.WriteString(reBlank)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	return b.String()
}

// classOf spells the bytes of s as the inside of a character class.
func classOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case ']', '[', '\\', '^', '-':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Regexp returns an anchored regular expression (RE2 and PCRE syntax)
// matching exactly the raw paths that Serves accepts, for engines that
// cannot run Serves: '*' becomes [^/]*, a "**" segment (/.*)?.
func (r *Routes) Regexp() string {
	alts := make([]string, 0, len(r.globs))
	for _, g := range r.globs {
		var b strings.Builder
		segs := strings.Split(g[1:], "/")
		for _, seg := range segs {
			if seg == "**" {
				b.WriteString(`(/.*)?`)
				continue
			}
			b.WriteByte('/')
			for j, part := range strings.Split(seg, "*") {
				if j > 0 {
					b.WriteString(`[^/]*`)
				}
				b.WriteString(regexp.QuoteMeta(part))
			}
		}
		alts = append(alts, b.String())
	}
	return `^(` + strings.Join(alts, "|") + `)$`
}
