package httpguard

import (
	"regexp"
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

// DecodedRegexps returns, for every Pattern of the signature table that
// applies to field f, regular expressions (one per signature, in table
// order; the syntax common to RE2 and PCRE: groups, classes, alternation,
// ^ and $) that match the field's text after it has been percent-decoded
// twice and lowercased — what a web application firewall sees after its
// URL_DECODE, URL_DECODE_UNI and LOWERCASE text transformations. They are
// the signatures Classify uses, spelled for engines that cannot run
// Classify (AWS WAF; see internal/waf). Differences, by design: the
// overlong UTF-8 forms %c0%ae and %c0%af are not decoded by such engines,
// and PatternInvalidMethod, PatternUnknownRoute (see [Routes.Regexp]) are
// not signatures.
func DecodedRegexps(f Field) map[Pattern][]string {
	where, seps := inTarget, separators
	if f == FieldUserAgent {
		where, seps = inUA, uaSeparators
	}
	out := map[Pattern][]string{}
	if f == FieldTarget {
		out[PatternPathTraversal] = append(out[PatternPathTraversal], reTraverse)
	}
	wordStart := `(^|[` + classOf(seps) + `])`
	for _, r := range rules {
		if r.flags&where == 0 {
			continue
		}
		var b strings.Builder
		if r.flags&word != 0 {
			b.WriteString(wordStart)
		}
		for i := 0; i < len(r.needle); i++ {
			c := r.needle[i]
			switch {
			case c == ' ':
				b.WriteString(reBlank)
			case c == '\n':
				b.WriteString(`\n`)
			default:
				b.WriteString(regexp.QuoteMeta(string(c)))
			}
		}
		if r.bounded {
			b.WriteString(reBoundary)
		}
		out[r.pattern] = append(out[r.pattern], b.String())
	}
	return out
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
		for i, seg := range segs {
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
			_ = i
		}
		alts = append(alts, b.String())
	}
	return `^(` + strings.Join(alts, "|") + `)$`
}
