package awstest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// logsTargetPrefix is the X-Amz-Target prefix of CloudWatch Logs operations.
const logsTargetPrefix = "Logs_20140328."

// defaultFilterPageSize is FilterLogEvents' documented default page size.
const defaultFilterPageSize = 10000

// Logs is a CloudWatch Logs API test server speaking AWS JSON 1.1. Fault
// injection and request counting are promoted from the embedded injector.
// All methods are safe for concurrent use.
type Logs struct {
	server

	mu       sync.Mutex
	groups   map[string]*logGroup
	pageSize int
	seq      int64
}

type logGroup struct {
	streams map[string]bool
	events  []types.FilteredLogEvent
	filters map[string]types.MetricFilter
}

// NewLogs starts a CloudWatch Logs test server on 127.0.0.1; it is closed
// when the test ends.
func NewLogs(tb testing.TB) *Logs {
	tb.Helper()
	s := &Logs{groups: map[string]*logGroup{}, pageSize: defaultFilterPageSize}
	s.start(tb, s.serveHTTP)
	return s
}

// SetFilterPageSize sets how many events one FilterLogEvents page holds at
// most (default 10000, the service default), to exercise pagination.
func (s *Logs) SetFilterPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = n
}

func (s *Logs) serveHTTP(w http.ResponseWriter, r *http.Request) {
	serveJSON(w, r, jsonService{
		targetPrefix: logsTargetPrefix, faults: s.faults, camel: true,
		invalid: logsInvalid, throttle: logsThrottle, internal: logsInternal,
		call: func(op string, body []byte) (any, *APIError) {
			switch op {
			case "CreateLogGroup":
				return withInput(body, decodeJSONInput, s.createLogGroup)
			case "CreateLogStream":
				return withInput(body, decodeJSONInput, s.createLogStream)
			case "PutLogEvents":
				return withInput(body, decodeJSONInput, s.putLogEvents)
			case "FilterLogEvents":
				return withInput(body, decodeJSONInput, s.filterLogEvents)
			case "PutMetricFilter":
				return withInput(body, decodeJSONInput, s.putMetricFilter)
			case "DescribeMetricFilters":
				return withInput(body, decodeJSONInput, s.describeMetricFilters)
			case "DeleteMetricFilter":
				return withInput(body, decodeJSONInput, s.deleteMetricFilter)
			case "TestMetricFilter":
				return withInput(body, decodeJSONInput, s.testMetricFilter)
			}
			return nil, &APIError{Status: http.StatusBadRequest, Shape: "UnknownOperationException", Message: "operation " + op + " is not served by awstest"}
		},
	})
}

// decodeJSONInput decodes an AWS JSON 1.1 request into the SDK input type;
// encoding/json matches the camelCase wire names to the Go fields.
func decodeJSONInput[T any](body []byte) (*T, *APIError) {
	v := new(T)
	if len(body) == 0 {
		return v, nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return nil, logsInvalid(fmt.Sprintf("%v: %v", ErrDecode, err))
	}
	return v, nil
}

// writeJSONError answers in the AWS JSON error shape: X-Amzn-ErrorType header
// and a body with __type and message.
func writeJSONError(w http.ResponseWriter, e *APIError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.Shape)
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.Shape, "message": e.Message})
}

func logsThrottle(status int) *APIError {
	return &APIError{Status: status, Shape: "ThrottlingException", Message: "Rate exceeded"}
}

func logsInternal(status int) *APIError {
	return &APIError{Status: status, Shape: "ServiceUnavailableException", Message: "injected server error"}
}

func logsInvalid(msg string) *APIError {
	return &APIError{Status: http.StatusBadRequest, Shape: "InvalidParameterException", Message: msg}
}

func logsInvalidToken() *APIError { return logsInvalid("The specified nextToken is invalid.") }

func logsNotFound(msg string) *APIError {
	return &APIError{Status: http.StatusBadRequest, Shape: "ResourceNotFoundException", Message: msg}
}

func logsExists(msg string) *APIError {
	return &APIError{Status: http.StatusBadRequest, Shape: "ResourceAlreadyExistsException", Message: msg}
}
