package cloudwatch

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// unitFor maps a Prometheus metric name's base-unit suffix to a CloudWatch
// unit: _seconds → Seconds, _bytes → Bytes, _total → Count (after stripping
// _total, _seconds and _bytes still win: process_cpu_seconds_total deltas are
// seconds). Other names get no unit (CloudWatch's None).
func unitFor(name string) types.StandardUnit {
	base, total := strings.CutSuffix(name, "_total")
	switch {
	case strings.HasSuffix(base, "_seconds"):
		return types.StandardUnitSeconds
	case strings.HasSuffix(base, "_bytes"):
		return types.StandardUnitBytes
	case total:
		return types.StandardUnitCount
	}
	return ""
}
