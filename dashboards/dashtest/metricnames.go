package dashtest

import (
	"slices"
	"strings"
	"unicode"
)

// keywords are PromQL words that are not metric names.
var keywords = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true,
	"group_right": true, "bool": true, "and": true, "or": true, "unless": true,
	"offset": true, "atan2": true, "inf": true, "nan": true,
}

// groupingKeywords are followed by a parenthesised label list.
var groupingKeywords = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
}

// MetricNames returns the metric names a PromQL expression selects, sorted
// and without duplicates. It is a small lexer, not a parser: it skips
// strings, label matchers ({...}), ranges ([...]), numbers, function and
// aggregation names (identifiers followed by "("), keywords and grouping
// label lists. Grafana variables ($x) are skipped too.
func MetricNames(expr string) []string {
	var names []string
	rs := []rune(expr)
	isIdentStart := func(r rune) bool { return r == '_' || r == ':' || unicode.IsLetter(r) }
	isIdent := func(r rune) bool { return isIdentStart(r) || unicode.IsDigit(r) }
	skipGroup := false
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r == '"' || r == '\'' || r == '`':
			j := i + 1
			for j < len(rs) && rs[j] != r {
				if rs[j] == '\\' && r != '`' {
					j++
				}
				j++
			}
			i = j + 1
		case r == '{' || r == '[':
			closer := map[rune]rune{'{': '}', '[': ']'}[r]
			j := i + 1
			for j < len(rs) && rs[j] != closer {
				if rs[j] == '"' || rs[j] == '\'' || rs[j] == '`' {
					q := rs[j]
					j++
					for j < len(rs) && rs[j] != q {
						if rs[j] == '\\' {
							j++
						}
						j++
					}
				}
				j++
			}
			i = j + 1
		case r == '$':
			j := i + 1
			for j < len(rs) && (isIdent(rs[j]) || rs[j] == '{' || rs[j] == '}') {
				j++
			}
			i = j
		case unicode.IsDigit(r) || (r == '.' && i+1 < len(rs) && unicode.IsDigit(rs[i+1])):
			j := i
			for j < len(rs) && (isIdent(rs[j]) || rs[j] == '.' || ((rs[j] == '+' || rs[j] == '-') && (rs[j-1] == 'e' || rs[j-1] == 'E'))) {
				j++
			}
			i = j
		case isIdentStart(r):
			j := i
			for j < len(rs) && isIdent(rs[j]) {
				j++
			}
			word := string(rs[i:j])
			k := j
			for k < len(rs) && unicode.IsSpace(rs[k]) {
				k++
			}
			nextParen := k < len(rs) && rs[k] == '('
			// An aggregation may put its grouping first: sum by (x) (...).
			m := k
			for m < len(rs) && isIdent(rs[m]) {
				m++
			}
			nextWord := strings.ToLower(string(rs[k:m]))
			aggregation := nextWord == "by" || nextWord == "without"
			lower := strings.ToLower(word)
			switch {
			case groupingKeywords[lower]:
				skipGroup = true
			case keywords[lower]:
			case nextParen, aggregation:
			default:
				names = append(names, word)
			}
			i = j
			if skipGroup && nextParen {
				for i < len(rs) && rs[i] != ')' {
					i++
				}
				skipGroup = false
			}
		default:
			i++
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}
