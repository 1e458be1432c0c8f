package cloudwatch

import (
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// datumOverhead approximates the CBOR bytes of a datum's fixed members
// (member names, timestamp, storage resolution, unit, map headers).
const datumOverhead = 96

// datums turns records into PutMetricData datums. Counter and histogram
// records that only set baselines produce none; a histogram with more than
// 150 non-empty buckets produces several datums with the same name,
// dimensions and timestamp, which CloudWatch aggregates.
func (e *exporter) datums(recs []*record, out []types.MetricDatum) []types.MetricDatum {
	res := ptr(int32(e.cfg.StorageResolution))
	for _, r := range recs {
		if !r.has {
			continue
		}
		base := types.MetricDatum{
			MetricName:        ptr(r.name),
			Dimensions:        r.dims,
			Timestamp:         ptr(r.timestamp()),
			Unit:              r.unit,
			StorageResolution: res,
		}
		if r.kind != kindHistogram {
			base.Value = ptr(r.value)
			out = append(out, base)
			continue
		}
		h := r.histogram()
		values, counts := valuesCounts(h.bounds, h.counts, apiMaxValues)
		for i := range values {
			d := base
			d.Values, d.Counts = values[i], counts[i]
			out = append(out, d)
		}
	}
	return out
}

// datumSize estimates the encoded size of a datum in a request.
func datumSize(d *types.MetricDatum) int {
	n := datumOverhead + len(*d.MetricName)
	for _, dim := range d.Dimensions {
		n += 24 + len(*dim.Name) + len(*dim.Value)
	}
	return n + 18*len(d.Values) // two float64 per value (value and count)
}
