package cloudwatch

// bucketValue is the value that represents bucket i of a histogram with the
// given upper bounds (bucket i is (bounds[i-1], bounds[i]], the last bucket
// is (bounds[len-1], +Inf)): the midpoint of finite buckets; the first
// bucket's lower bound is 0 when its upper bound is positive (otherwise the
// bucket is represented by its upper bound); the +Inf bucket is represented
// by the highest finite bound.
func bucketValue(bounds []float64, i int) float64 {
	switch {
	case len(bounds) == 0:
		return 0
	case i >= len(bounds):
		return bounds[len(bounds)-1]
	case i == 0:
		if bounds[0] > 0 {
			return bounds[0] / 2
		}
		return bounds[0]
	}
	return (bounds[i-1] + bounds[i]) / 2
}

// valuesCounts returns the representative values and counts of the
// non-empty buckets, split into chunks of at most max values.
func valuesCounts(bounds []float64, counts []uint64, max int) (values, cnts [][]float64) {
	var v, c []float64
	for i, n := range counts {
		if n == 0 {
			continue
		}
		if len(v) == max {
			values, cnts = append(values, v), append(cnts, c)
			v, c = nil, nil
		}
		v = append(v, bucketValue(bounds, i))
		c = append(c, float64(n))
	}
	if len(v) > 0 {
		values, cnts = append(values, v), append(cnts, c)
	}
	return values, cnts
}
