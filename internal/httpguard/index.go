package httpguard

// compiledRule is a rule with its pattern's rank resolved.
type compiledRule struct {
	needle  string
	rank    int
	bounded bool
	// third is the needle's third byte, or 0 when it has none or it is a
	// blank: a cheap test before matchAt (see may).
	third byte
}

// may reports whether r can match at t[i:], where its third byte would be,
// judging by a plain (not percent-encoded) byte only; matchAt decides.
func (r *compiledRule) may(t string, i int) bool {
	if r.third == 0 || i >= len(t) {
		return true
	}
	c := t[i]
	return c == '%' || lowerTab[c] == r.third
}

// dispatch maps the first two decoded bytes of a needle to its rules:
// d[c0][c1]. Only the few bytes that start a needle have a second-level
// table, so ordinary bytes cost one nil check.
type dispatch [256]*[256][]*compiledRule

// table is the compiled form of the rules that apply to one input: the
// request-target or the User-Agent.
type table struct {
	// index holds the needles that may start at any byte.
	index dispatch
	// words holds the word needles, looked up only at the start of the
	// input and after a separator.
	words dispatch
	// hasWords is true when words is not empty.
	hasWords bool
	// wordPairs holds the first two bytes of every word needle.
	wordPairs pairSet
	// sep marks the bytes after which a word needle may start.
	sep [256]bool
	// special marks the bytes where scan must stop and look: '%'
	// (decoding), '.' (traversal, target only), the separators (word
	// starts) and the first byte of every index needle. All other bytes
	// are skipped in a tight loop.
	special [256]bool
	// traversal enables the structural "../" check.
	traversal bool
}

var (
	// targetTable classifies request-targets.
	targetTable = buildTable(inTarget, separators, true)
	// uaTable classifies User-Agent values.
	uaTable = buildTable(inUA, uaSeparators, false)
)

func buildTable(where ruleFlags, seps string, traversal bool) *table {
	t := &table{traversal: traversal}
	for i := 0; i < len(seps); i++ {
		t.sep[seps[i]] = true
	}
	t.special['%'] = true
	if traversal {
		t.special['.'] = true
	}
	for _, r := range rules {
		if r.flags&where == 0 {
			continue
		}
		cr := &compiledRule{needle: r.needle, rank: rankOf(r.pattern), bounded: r.bounded}
		if len(r.needle) > 2 && r.needle[2] != ' ' && r.needle[1] != ' ' {
			cr.third = r.needle[2]
		}
		d := &t.index
		if r.flags&word != 0 {
			d, t.hasWords = &t.words, true
			for b := 0; b < 256; b++ {
				if c1 := byte(b); c1 == r.needle[1] || r.needle[1] == ' ' && isBlank(c1) {
					t.wordPairs.add(r.needle[0], c1)
				}
			}
		} else {
			c := r.needle[0]
			t.special[c] = true
			if 'a' <= c && c <= 'z' {
				t.special[c-'a'+'A'] = true
			}
		}
		d.add(cr)
	}
	if t.hasWords {
		for i := 0; i < len(seps); i++ {
			t.special[seps[i]] = true
		}
	}
	return t
}

// add registers r under its first two bytes; a blank second byte is
// registered under every byte isBlank accepts.
func (d *dispatch) add(r *compiledRule) {
	c0, c1 := r.needle[0], r.needle[1]
	if d[c0] == nil {
		d[c0] = new([256][]*compiledRule)
	}
	if c1 != ' ' {
		d[c0][c1] = append(d[c0][c1], r)
		return
	}
	for b := 0; b < 256; b++ {
		if isBlank(byte(b)) {
			d[c0][b] = append(d[c0][b], r)
		}
	}
}

var (
	rankTraversal = rankOf(PatternPathTraversal)
	// rankFirstPath is the best rank a target alone can earn; reaching it
	// ends the scan early.
	rankFirstPath    = rankOf(PatternWebLogic)
	rankUnknownRoute = rankOf(PatternUnknownRoute)
)

func rankOf(p Pattern) int {
	for i, q := range patterns {
		if q == p {
			return i
		}
	}
	return noRank
}

// pairSet is a set of byte pairs, one bool per pair: indexed by a uint16,
// a lookup needs no bounds check.
type pairSet [1 << 16]bool

func (s *pairSet) add(a, b byte)      { s[uint16(a)<<8|uint16(b)] = true }
func (s *pairSet) has(a, b byte) bool { return s[uint16(a)<<8|uint16(b)] }
