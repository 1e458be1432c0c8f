package alerts

import (
	"sort"
	"strings"
)

// promqlKeywords are identifiers that are never metric names.
var promqlKeywords = map[string]bool{
	"and": true, "or": true, "unless": true, "bool": true, "offset": true,
	"by": true, "without": true, "on": true, "ignoring": true,
	"group_left": true, "group_right": true, "inf": true, "nan": true,
}

// labelListKeywords are followed by a parenthesised list of label names.
var labelListKeywords = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
}

// MetricNames returns the metric names (and recording rule names) an
// expression selects, sorted and deduplicated. It is a small tokenizer, not
// a parser: it skips string literals, label matchers ({...}), ranges
// ([...]), numbers, keywords, label lists after by/without/on/ignoring, and
// identifiers called as functions. `promtool check rules` is the parser.
func MetricNames(expr string) []string {
	seen := map[string]bool{}
	isStart := func(b byte) bool { return b == '_' || b == ':' || (b|0x20 >= 'a' && b|0x20 <= 'z') }
	isPart := func(b byte) bool { return isStart(b) || (b >= '0' && b <= '9') }
	i := 0
	skipTo := func(close byte) {
		for i < len(expr) && expr[i] != close {
			if expr[i] == '"' || expr[i] == '\'' || expr[i] == '`' {
				q := expr[i]
				for i++; i < len(expr) && expr[i] != q; i++ {
					if expr[i] == '\\' {
						i++
					}
				}
			}
			i++
		}
		i++
	}
	skipSpace := func(j int) int {
		for j < len(expr) && strings.IndexByte(" \t\r\n", expr[j]) >= 0 {
			j++
		}
		return j
	}
	for i < len(expr) {
		b := expr[i]
		switch {
		case b == '"' || b == '\'' || b == '`':
			i++
			skipTo(b)
		case b == '{':
			skipTo('}')
		case b == '[':
			skipTo(']')
		case b >= '0' && b <= '9' || (b == '.' && i+1 < len(expr) && expr[i+1] >= '0' && expr[i+1] <= '9'):
			for i < len(expr) && (isPart(expr[i]) || expr[i] == '.' || ((expr[i] == '+' || expr[i] == '-') && (expr[i-1]|0x20) == 'e')) {
				i++
			}
		case isStart(b):
			j := i
			for j < len(expr) && isPart(expr[j]) {
				j++
			}
			word := expr[i:j]
			next := skipSpace(j)
			i = j
			switch {
			case labelListKeywords[strings.ToLower(word)]:
				if next < len(expr) && expr[next] == '(' {
					i = next
					skipTo(')')
				}
			case promqlKeywords[strings.ToLower(word)]:
			case next < len(expr) && expr[next] == '(':
				// a function or aggregation call
			case strings.HasPrefix(expr[next:], "by") || strings.HasPrefix(expr[next:], "without"):
				// an aggregation with its grouping before the argument
			default:
				seen[word] = true
			}
		default:
			i++
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
