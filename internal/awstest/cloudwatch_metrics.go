package awstest

import (
	"fmt"
	"math"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// API limits of PutMetricData that the server enforces.
const (
	maxDatumsPerRequest = 1000
	maxValuesPerDatum   = 150
	maxDimensions       = 30
)

// Datum is one stored metric datum with the namespace it was sent to.
type Datum struct {
	Namespace string
	types.MetricDatum
}

func (s *CloudWatch) putMetricData(req *cloudwatch.PutMetricDataInput, compressed bool, wireBytes int) (any, *APIError) {
	if req.Namespace == nil || *req.Namespace == "" {
		return nil, &APIError{Status: 400, Shape: "MissingRequiredParameterException", QueryCode: "MissingParameter", Message: "Namespace is required", Fault: "Sender"}
	}
	if len(req.MetricData) > maxDatumsPerRequest {
		return nil, cwInvalid(fmt.Sprintf("MetricData has %d members, at most %d are allowed", len(req.MetricData), maxDatumsPerRequest))
	}
	for i, d := range req.MetricData {
		if err := validateDatum(d); err != nil {
			return nil, cwInvalid(fmt.Sprintf("MetricData.member.%d: %v", i+1, err))
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, PutMetricDataCall{Namespace: *req.Namespace, Datums: req.MetricData, Compressed: compressed, WireBytes: wireBytes})
	return &cloudwatch.PutMetricDataOutput{}, nil
}

// validateDatum applies the documented MetricDatum constraints.
func validateDatum(d types.MetricDatum) error {
	if d.MetricName == nil || *d.MetricName == "" {
		return fmt.Errorf("MetricName is required")
	}
	if len(d.Dimensions) > maxDimensions {
		return fmt.Errorf("%d dimensions, at most %d", len(d.Dimensions), maxDimensions)
	}
	set := 0
	if d.Value != nil {
		set++
		if !finite(*d.Value) {
			return fmt.Errorf("Value %v is not a finite number", *d.Value)
		}
	}
	if d.Values != nil {
		set++
		if len(d.Values) > maxValuesPerDatum {
			return fmt.Errorf("%d Values, at most %d", len(d.Values), maxValuesPerDatum)
		}
		if d.Counts != nil && len(d.Counts) != len(d.Values) {
			return fmt.Errorf("%d Counts for %d Values", len(d.Counts), len(d.Values))
		}
		for _, v := range append(append([]float64(nil), d.Values...), d.Counts...) {
			if !finite(v) {
				return fmt.Errorf("Values/Counts contain %v", v)
			}
		}
	}
	if d.StatisticValues != nil {
		set++
	}
	if set != 1 {
		return fmt.Errorf("exactly one of Value, Values or StatisticValues must be set, got %d", set)
	}
	return nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// PutMetricDataCalls returns every accepted PutMetricData request in arrival
// order.
func (s *CloudWatch) PutMetricDataCalls() []PutMetricDataCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]PutMetricDataCall(nil), s.calls...)
}

// Datums returns every stored datum of every accepted request, in order.
func (s *CloudWatch) Datums() []Datum {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Datum
	for _, c := range s.calls {
		for _, d := range c.Datums {
			out = append(out, Datum{Namespace: c.Namespace, MetricDatum: d})
		}
	}
	return out
}

// DatumCount returns how many datums were accepted.
func (s *CloudWatch) DatumCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		n += len(c.Datums)
	}
	return n
}
