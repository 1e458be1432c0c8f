package logs

import (
	"regexp/syntax"
	"unicode"
)

// fastMatcher matches the common shape of log rule regexes — an anchored
// sequence of literals, character classes with repetition, captures and
// optional groups — in one left-to-right pass with no backtracking, several
// times faster than regexp's one-pass engine. It is built only when every
// choice in the regex is decided by the next input byte (the follow sets are
// disjoint), which makes its greedy match the same as RE2's leftmost-first
// one; FuzzFastMatcher checks it against regexp. Other regexes use regexp.
type fastMatcher struct {
	items []fastItem
	ncap  int // number of capture groups, as regexp's NumSubexp
}

type fastItem struct {
	kind     fastKind
	set      [256]bool // for itemClass
	min, max int       // for itemClass; max < 0: unbounded
	capture  int       // for itemCapStart/itemCapEnd
	sub      []fastItem
}

type fastKind uint8

const (
	itemClass fastKind = iota
	itemCapStart
	itemCapEnd
	itemOpt
	itemEnd
)

// compileFast returns a fastMatcher for expr, or nil when expr has another shape.
func compileFast(expr string, ncap int) *fastMatcher {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	re = re.Simplify()
	var subs []*syntax.Regexp
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	} else {
		subs = []*syntax.Regexp{re}
	}
	if len(subs) == 0 || subs[0].Op != syntax.OpBeginText {
		return nil
	}
	items, ok := flatten(subs[1:], nil)
	if !ok {
		return nil
	}
	var none [256]bool
	if _, ok := checkFollow(items, none, true); !ok {
		return nil
	}
	return &fastMatcher{items: items, ncap: ncap}
}

// flatten turns a concatenation into items.
func flatten(subs []*syntax.Regexp, out []fastItem) ([]fastItem, bool) {
	for _, s := range subs {
		var ok bool
		if out, ok = item(s, out); !ok {
			return nil, false
		}
	}
	return out, true
}

// maxFastItems bounds the matcher's size (Simplify expands x{n}).
const maxFastItems = 512

func item(s *syntax.Regexp, out []fastItem) ([]fastItem, bool) {
	if len(out) > maxFastItems {
		return nil, false
	}
	switch s.Op {
	case syntax.OpEmptyMatch:
		return out, true
	case syntax.OpLiteral:
		for _, r := range s.Rune {
			it := fastItem{kind: itemClass, min: 1, max: 1}
			if r >= 0x80 {
				return nil, false
			}
			it.set[r] = true
			if s.Flags&syntax.FoldCase != 0 {
				it.set[unicode.ToUpper(r)], it.set[unicode.ToLower(r)] = true, true
				if unicode.SimpleFold(r) != unicode.ToUpper(r) && unicode.SimpleFold(r) != unicode.ToLower(r) {
					return nil, false // e.g. k and the Kelvin sign
				}
			}
			out = append(out, it)
		}
		return out, true
	case syntax.OpCharClass, syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		it := fastItem{kind: itemClass, min: 1, max: 1}
		if !classSet(s, &it.set) {
			return nil, false
		}
		return append(out, it), true
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		sub := s.Sub[0]
		if s.Flags&syntax.NonGreedy != 0 {
			return nil, false
		}
		one, ok := item(sub, nil)
		if ok && len(one) == 1 && one[0].kind == itemClass && one[0].min == 1 && one[0].max == 1 {
			it := one[0]
			switch s.Op {
			case syntax.OpStar:
				it.min, it.max = 0, -1
			case syntax.OpPlus:
				it.min, it.max = 1, -1
			case syntax.OpQuest:
				it.min, it.max = 0, 1
			case syntax.OpRepeat:
				it.min, it.max = s.Min, s.Max
			}
			return append(out, it), true
		}
		if s.Op != syntax.OpQuest {
			return nil, false
		}
		var subs []*syntax.Regexp
		if sub.Op == syntax.OpConcat {
			subs = sub.Sub
		} else {
			subs = []*syntax.Regexp{sub}
		}
		body, ok := flatten(subs, nil)
		if !ok || len(body) == 0 {
			return nil, false
		}
		return append(out, fastItem{kind: itemOpt, sub: body}), true
	case syntax.OpCapture:
		out = append(out, fastItem{kind: itemCapStart, capture: s.Cap})
		out, ok := item(s.Sub[0], out)
		if !ok {
			return nil, false
		}
		return append(out, fastItem{kind: itemCapEnd, capture: s.Cap}), true
	case syntax.OpConcat:
		return flatten(s.Sub, out)
	case syntax.OpEndText:
		return append(out, fastItem{kind: itemEnd}), true
	}
	return nil, false
}

// classSet fills set with the bytes of a class that is either ASCII-only or
// contains every non-ASCII rune (then every byte >= 0x80 is allowed, which is
// what regexp does with multi-byte and invalid UTF-8: one rune either way).
func classSet(s *syntax.Regexp, set *[256]bool) bool {
	ranges := s.Rune
	switch s.Op {
	case syntax.OpAnyCharNotNL:
		ranges = []rune{0, '\n' - 1, '\n' + 1, unicode.MaxRune}
	case syntax.OpAnyChar:
		ranges = []rune{0, unicode.MaxRune}
	}
	var high rune // count of non-ASCII runes covered
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		for r := lo; r <= hi && r < 0x80; r++ {
			set[r] = true
		}
		if hi >= 0x80 {
			high += hi - max(lo, 0x80) + 1
		}
	}
	switch high {
	case 0:
		return true
	case unicode.MaxRune - 0x80 + 1:
		for b := 0x80; b < 0x100; b++ {
			set[b] = true
		}
		return true
	}
	return false
}

// checkFollow verifies, from the end backwards, that every variable-length
// item and optional group can be decided by the next byte. follow is the set
// of bytes that may come after items; openEnd says that the match may end
// after items without reaching the end of the text (no `$` ahead). It
// returns the first-byte set of items followed by follow.
func checkFollow(items []fastItem, follow [256]bool, openEnd bool) ([256]bool, bool) {
	for i := len(items) - 1; i >= 0; i-- {
		it := &items[i]
		switch it.kind {
		case itemClass:
			if it.max != it.min && overlaps(&it.set, &follow) {
				return follow, false
			}
			if it.min == 0 {
				follow = union(&follow, &it.set)
			} else {
				follow = it.set
				openEnd = false
			}
		case itemOpt:
			// RE2 would skip a started-but-failed optional group and end
			// the match there: only a `$` or a byte after it rules that out.
			if openEnd {
				return follow, false
			}
			if _, ok := checkFollow(it.sub, follow, false); !ok {
				return follow, false
			}
			bodyFirst, ok := firstOf(it.sub)
			if !ok || overlaps(&bodyFirst, &follow) {
				return follow, false
			}
			follow = union(&follow, &bodyFirst)
		case itemEnd:
			follow = [256]bool{}
			openEnd = false
		}
	}
	return follow, true
}

func overlaps(a, b *[256]bool) bool {
	for i := range a {
		if a[i] && b[i] {
			return true
		}
	}
	return false
}

func union(a, b *[256]bool) [256]bool {
	var u [256]bool
	for i := range a {
		u[i] = a[i] || b[i]
	}
	return u
}

// firstOf returns the first-byte set of a non-nullable item list.
func firstOf(items []fastItem) ([256]bool, bool) {
	var s [256]bool
	for _, it := range items {
		switch it.kind {
		case itemClass:
			for b := range 256 {
				s[b] = s[b] || it.set[b]
			}
			if it.min > 0 {
				return s, true
			}
		case itemOpt:
			return s, false
		case itemEnd:
			return s, false
		}
	}
	return s, false
}

// match returns regexp-style submatch indexes (nil when no match).
func (m *fastMatcher) match(b []byte, dst []int) []int {
	n := 2 * (m.ncap + 1)
	if cap(dst) < n {
		dst = make([]int, n)
	}
	dst = dst[:n]
	for i := range dst {
		dst[i] = -1
	}
	end, ok := matchItems(m.items, b, 0, dst)
	if !ok {
		return nil
	}
	dst[0], dst[1] = 0, end
	return dst
}

func matchItems(items []fastItem, b []byte, pos int, caps []int) (int, bool) {
	for i := range items {
		it := &items[i]
		switch it.kind {
		case itemClass:
			n := 0
			for (it.max < 0 || n < it.max) && pos < len(b) && it.set[b[pos]] {
				pos++
				n++
			}
			if n < it.min {
				return pos, false
			}
		case itemCapStart:
			caps[2*it.capture] = pos
		case itemCapEnd:
			caps[2*it.capture+1] = pos
		case itemOpt:
			if pos < len(b) && startsWith(it.sub, b[pos]) {
				p, ok := matchItems(it.sub, b, pos, caps)
				if !ok {
					return pos, false
				}
				pos = p
			}
		case itemEnd:
			if pos != len(b) {
				return pos, false
			}
		}
	}
	return pos, true
}

// startsWith reports whether c can start the (non-nullable) items.
func startsWith(items []fastItem, c byte) bool {
	for _, it := range items {
		if it.kind == itemClass {
			if it.set[c] {
				return true
			}
			if it.min > 0 {
				return false
			}
		}
	}
	return false
}
