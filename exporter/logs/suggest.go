package logs

// SuggestFormat returns the format (a ParseFormat name) other than
// current that parses the most of lines, at least half of them, or "" when
// none does. It is how `logs report` tells a user who picked the wrong
// --format (or whose log auto cannot read) what to try.
func SuggestFormat(lines [][]byte, current string) string {
	if len(lines) == 0 {
		return ""
	}
	candidates := []string{"alb", "cloudfront", "waf", "clf", "json"}
	for _, n := range ShippedRuleSets() {
		candidates = append(candidates, "rules:"+n)
	}
	best, bestN := "", 0
	var e Entry
	for _, name := range candidates {
		if name == current {
			continue
		}
		p, err := ParseFormat(name)
		if err != nil {
			continue
		}
		n := 0
		for _, l := range lines {
			if p.Parse(l, &e) == nil {
				n++
			}
		}
		if n > bestN {
			best, bestN = name, n
		}
	}
	if 2*bestN < len(lines) {
		return ""
	}
	return best
}
