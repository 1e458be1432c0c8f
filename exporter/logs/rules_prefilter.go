package logs

import (
	"regexp/syntax"
	"unicode"
)

// firstBytes computes, for a regex anchored at the start of the text, the set
// of bytes a matching line can begin with, so that Parse skips the regex
// (whose backtracking matcher costs far more than a table lookup) for lines
// that cannot match. ok is false when the set is unknown or the regex is not
// anchored.
func firstBytes(expr string) (set *[256]bool, ok bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, false
	}
	re = re.Simplify()
	var s [256]bool
	anchored, ok := first(re, &s, false)
	if !ok || !anchored {
		return nil, false
	}
	return &s, true
}

// first adds the possible first bytes of re to s. anchored reports whether a
// begin-of-text assertion was passed on the way (or already had been).
func first(re *syntax.Regexp, s *[256]bool, anchored bool) (bool, bool) {
	switch re.Op {
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			switch sub.Op {
			case syntax.OpBeginText:
				anchored = true
				continue
			}
			return first(sub, s, anchored)
		}
		return anchored, false
	case syntax.OpCapture:
		return first(re.Sub[0], s, anchored)
	case syntax.OpPlus:
		return first(re.Sub[0], s, anchored)
	case syntax.OpRepeat:
		if re.Min < 1 {
			return anchored, false
		}
		return first(re.Sub[0], s, anchored)
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			a, ok := first(sub, s, anchored)
			if !ok || !a {
				return a, false
			}
		}
		return true, true
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return anchored, false
		}
		return anchored, addRune(s, re.Rune[0], re.Flags&syntax.FoldCase != 0)
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if hi >= utf8Self {
				// Non-ASCII ranges: allow every non-ASCII lead byte.
				for b := 0x80; b < 0x100; b++ {
					s[b] = true
				}
				hi = utf8Self - 1
			}
			for r := lo; r <= hi; r++ {
				s[r] = true
			}
		}
		return anchored, true
	}
	return anchored, false
}

const utf8Self = 0x80

func addRune(s *[256]bool, r rune, fold bool) bool {
	if r >= utf8Self {
		for b := 0xC0; b < 0x100; b++ {
			s[b] = true
		}
		return true
	}
	s[r] = true
	if fold {
		s[unicode.ToUpper(r)] = true
		s[unicode.ToLower(r)] = true
	}
	return true
}
