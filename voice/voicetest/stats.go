package voicetest

import (
	"math"
	"slices"
)

// Wilson95 is the 95 % Wilson score interval of k successes in n trials:
// it stays inside [0, 1] and is not degenerate at 0 or n, unlike the
// normal approximation. The labs report their success rates with it.
func Wilson95(k, n int) (lo, hi float64) {
	if n == 0 {
		return 0, 1
	}
	const z = 1.959964
	p, fn := float64(k)/float64(n), float64(n)
	den := 1 + z*z/fn
	mid := (p + z*z/(2*fn)) / den
	half := z * math.Sqrt(p*(1-p)/fn+z*z/(4*fn*fn)) / den
	return max(0, mid-half), min(1, mid+half)
}

// Percentile is the nearest-rank q-quantile of v (0 for none); v is not
// changed.
func Percentile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(v))
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}
