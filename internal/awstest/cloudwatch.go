package awstest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go/encoding/cbor"
)

// cloudWatchPathPrefix is where rpc-v2-cbor clients POST: /service/<service
// shape name>/operation/<operation name>.
const cloudWatchPathPrefix = "/service/GraniteServiceVersion20100801/operation/"

// maxPutMetricDataBytes is the documented PutMetricData request size limit.
const maxPutMetricDataBytes = 1 << 20

// CloudWatch is a CloudWatch API test server speaking Smithy RPC v2 CBOR.
// Fault injection (Inject, ThrottleNext, FailNext, HangNext, Release, Clear)
// and request counting (Requests, TotalRequests) are promoted from the
// embedded injector. All methods are safe for concurrent use.
type CloudWatch struct {
	server

	mu         sync.Mutex
	calls      []PutMetricDataCall
	alarms     map[string]types.MetricAlarm
	dashboards map[string]dashboard
}

// PutMetricDataCall is one accepted PutMetricData request.
type PutMetricDataCall struct {
	// Namespace of the request.
	Namespace string
	// Datums in request order, as the SDK sent them.
	Datums []types.MetricDatum
	// Compressed is true when the body arrived with Content-Encoding: gzip.
	Compressed bool
	// WireBytes is the body size on the wire (after compression).
	WireBytes int
}

type dashboard struct {
	body     string
	modified time.Time
}

// NewCloudWatch starts a CloudWatch test server on 127.0.0.1; it is closed
// when the test ends.
func NewCloudWatch(tb testing.TB) *CloudWatch {
	tb.Helper()
	s := &CloudWatch{
		alarms:     map[string]types.MetricAlarm{},
		dashboards: map[string]dashboard{},
	}
	s.start(tb, s.serveHTTP)
	return s
}

func (s *CloudWatch) serveHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.URL.Path, cloudWatchPathPrefix)
	if !ok || r.Method != http.MethodPost {
		writeCBORError(w, &APIError{Status: http.StatusNotFound, Shape: "UnknownOperationException", Message: r.Method + " " + r.URL.Path})
		return
	}
	if p := r.Header.Get("Smithy-Protocol"); p != "rpc-v2-cbor" {
		writeCBORError(w, &APIError{Status: http.StatusBadRequest, Shape: "InvalidParameterValueException",
			QueryCode: "InvalidParameterValue", Message: "missing smithy-protocol: rpc-v2-cbor header, got " + p, Fault: "Sender"})
		return
	}
	ft, release := s.admit(op)
	if apiErr := applyFault(r, ft, release, cwThrottle, cwInternal); apiErr != nil {
		writeCBORError(w, apiErr)
		return
	}
	wire, err := io.ReadAll(r.Body)
	if err != nil {
		writeCBORError(w, cwInvalid("read body: "+err.Error()))
		return
	}
	body := wire
	compressed := strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip")
	if compressed {
		zr, err := gzip.NewReader(bytes.NewReader(wire))
		if err != nil {
			writeCBORError(w, cwInvalid("gzip: "+err.Error()))
			return
		}
		if body, err = io.ReadAll(zr); err != nil {
			writeCBORError(w, cwInvalid("gzip: "+err.Error()))
			return
		}
	}
	in := cbor.Value(cbor.Map{})
	if len(body) > 0 {
		if in, err = cbor.Decode(body); err != nil {
			writeCBORError(w, cwInvalid(fmt.Sprintf("%v: %v", ErrDecode, err)))
			return
		}
	}
	var out any
	var apiErr *APIError
	switch op {
	case "PutMetricData":
		if len(wire) > maxPutMetricDataBytes {
			apiErr = &APIError{Status: http.StatusRequestEntityTooLarge, Shape: "RequestEntityTooLarge",
				Message: fmt.Sprintf("request size %d exceeds %d bytes", len(wire), maxPutMetricDataBytes), Fault: "Sender"}
			break
		}
		out, apiErr = withInput(in, decodeInput, func(req *cloudwatch.PutMetricDataInput) (any, *APIError) {
			return s.putMetricData(req, compressed, len(wire))
		})
	case "PutMetricAlarm":
		out, apiErr = withInput(in, decodeInput, s.putMetricAlarm)
	case "DescribeAlarms":
		out, apiErr = withInput(in, decodeInput, s.describeAlarms)
	case "DeleteAlarms":
		out, apiErr = withInput(in, decodeInput, s.deleteAlarms)
	case "SetAlarmState":
		out, apiErr = withInput(in, decodeInput, s.setAlarmState)
	case "PutDashboard":
		out, apiErr = withInput(in, decodeInput, s.putDashboard)
	case "GetDashboard":
		out, apiErr = withInput(in, decodeInput, s.getDashboard)
	case "ListDashboards":
		out, apiErr = withInput(in, decodeInput, s.listDashboards)
	case "DeleteDashboards":
		out, apiErr = withInput(in, decodeInput, s.deleteDashboards)
	default:
		apiErr = &APIError{Status: http.StatusBadRequest, Shape: "UnknownOperationException", Message: "operation " + op + " is not served by awstest", Fault: "Sender"}
	}
	if apiErr != nil {
		writeCBORError(w, apiErr)
		return
	}
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	_, _ = w.Write(cbor.Encode(encodeShape(out)))
}

// decodeInput decodes a request into the SDK input type.
func decodeInput[T any](in cbor.Value) (*T, *APIError) {
	v := new(T)
	if err := decodeShape(in, v); err != nil {
		return nil, cwInvalid(fmt.Sprintf("%v: %v", ErrDecode, err))
	}
	return v, nil
}

// writeCBORError answers in the rpc-v2-cbor error shape: a map with __type
// (the error shape ID) and message, plus the awsQueryCompatible header
// X-Amzn-Query-Error ("Code;Sender") that the SDK uses as the error code.
func writeCBORError(w http.ResponseWriter, e *APIError) {
	h := w.Header()
	h.Set("Smithy-Protocol", "rpc-v2-cbor")
	h.Set("Content-Type", "application/cbor")
	code := e.QueryCode
	if code == "" {
		code = e.Shape
	}
	fault := e.Fault
	if fault == "" {
		fault = "Sender"
	}
	h.Set("X-Amzn-Query-Error", code+";"+fault)
	w.WriteHeader(e.Status)
	_, _ = w.Write(cbor.Encode(cbor.Map{
		"__type":  cbor.String("com.amazonaws.cloudwatch#" + e.Shape),
		"message": cbor.String(e.Message),
	}))
}

func cwThrottle(status int) *APIError {
	return &APIError{Status: status, Shape: "ThrottlingException", QueryCode: "Throttling", Message: "Rate exceeded", Fault: "Sender"}
}

func cwInternal(status int) *APIError {
	return &APIError{Status: status, Shape: "InternalServiceFault", QueryCode: "InternalServiceError", Message: "injected server error", Fault: "Receiver"}
}

func cwInvalid(msg string) *APIError {
	return &APIError{Status: http.StatusBadRequest, Shape: "InvalidParameterValueException", QueryCode: "InvalidParameterValue", Message: msg, Fault: "Sender"}
}
