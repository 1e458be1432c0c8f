package httpguard

// compiledRule is a rule with its pattern's rank resolved.
type compiledRule struct {
	needle  string
	rank    int
	bounded bool
}

// index dispatches on the first two decoded bytes of a needle:
// index[c0][c1] lists the rules whose needle starts with c0 c1. Only the few
// bytes that start a needle have a second-level table, so ordinary path
// bytes cost one nil check.
var index = buildIndex(rules)

// special marks the bytes where classifyTarget must stop and look: '%'
// (decoding), '.' (traversal) and the first byte of every needle. All other
// bytes are skipped in a tight loop.
var special = buildSpecial(rules)

func buildSpecial(rs []rule) *[256]bool {
	var sp [256]bool
	sp['%'], sp['.'] = true, true
	for _, r := range rs {
		sp[r.needle[0]] = true
		if u := r.needle[0]; 'a' <= u && u <= 'z' {
			sp[u-'a'+'A'] = true
		}
	}
	return &sp
}

var (
	rankTraversal = rankOf(PatternPathTraversal)
	// rankFirstPath is the best rank a target alone can earn; reaching it
	// ends the scan early.
	rankFirstPath = rankOf(PatternWebLogic)
)

func rankOf(p Pattern) int {
	for i, q := range patterns {
		if q == p {
			return i
		}
	}
	return noRank
}

func buildIndex(rs []rule) *[256]*[256][]*compiledRule {
	var idx [256]*[256][]*compiledRule
	for _, r := range rs {
		c0, c1 := r.needle[0], r.needle[1]
		if idx[c0] == nil {
			idx[c0] = new([256][]*compiledRule)
		}
		idx[c0][c1] = append(idx[c0][c1], &compiledRule{needle: r.needle, rank: rankOf(r.pattern), bounded: r.bounded})
	}
	return &idx
}
