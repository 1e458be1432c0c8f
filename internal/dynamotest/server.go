package dynamotest

import (
	"context"
	"encoding/json"
	"hash/crc32"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Test credentials and region.
const (
	AccessKeyID     = "AKIDDYNAMOTEST"
	SecretAccessKey = "dynamotest-secret-key"
	Region          = "us-east-1"
)

// Fault is a failure injected into the next call.
type Fault int

// Faults, one per call, in the order queued.
const (
	// FaultThroughput answers 400 ProvisionedThroughputExceededException.
	FaultThroughput Fault = iota + 1
	// FaultThrottling answers 400 ThrottlingException.
	FaultThrottling
	// FaultInternal answers 500 InternalServerError.
	FaultInternal
	// FaultUnavailable answers 503 ServiceUnavailable.
	FaultUnavailable
	// FaultHang never answers (until the client gives up or Close).
	FaultHang
)

// Call is one request the server saw.
type Call struct {
	Op string
	// Result is "ok" or the error type answered (e.g.
	// ConditionalCheckFailedException), or "hang".
	Result string
	// Condition is the PutItem ConditionExpression.
	Condition string
}

// Item is a stored item: attribute name → DynamoDB JSON value, e.g.
// {"S": "abc"} or {"N": "3"}.
type Item map[string]map[string]any

type table struct {
	key   string
	items map[string]map[string]json.RawMessage
}

// Server is the test endpoint. Create it with New.
type Server struct {
	// URL is the endpoint, e.g. http://127.0.0.1:40123.
	URL string

	hs      *httptest.Server
	closing chan struct{}
	once    sync.Once

	mu     sync.Mutex
	tables map[string]*table
	faults []Fault
	calls  []Call
}

// New starts a server on 127.0.0.1 and closes it when the test ends.
func New(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{tables: map[string]*table{}, closing: make(chan struct{})}
	s.hs = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.hs.URL
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server, releasing hung calls.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closing)
		s.hs.CloseClientConnections()
		s.hs.Close()
	})
}

// Credentials returns a provider of the test credentials.
func (s *Server) Credentials() aws.CredentialsProvider {
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey, Source: "dynamotest"}, nil
	})
}

// CreateTable adds an empty table whose partition key is the string
// attribute key.
func (s *Server) CreateTable(name, key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tables[name] = &table{key: key, items: map[string]map[string]json.RawMessage{}}
}

// Fail queues faults for the next calls, one per call.
func (s *Server) Fail(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faults...)
}

// Calls returns the calls seen so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Get returns a stored item, decoded, or nil.
func (s *Server) Get(tableName, key string) Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tables[tableName]
	if t == nil || t.items[key] == nil {
		return nil
	}
	out := Item{}
	for k, raw := range t.items[key] {
		var v map[string]any
		_ = json.Unmarshal(raw, &v)
		out[k] = v
	}
	return out
}

// apiError is an error answered the JSON 1.0 way.
type apiError struct {
	status int
	typ    string // short type, e.g. ValidationException
	msg    string
}

func validation(msg string) *apiError {
	return &apiError{http.StatusBadRequest, "ValidationException", msg}
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op, _ := strings.CutPrefix(target, "DynamoDB_20120810.")
	call := Call{Op: op}
	var body []byte
	var aerr *apiError
	defer func() {
		if aerr != nil {
			call.Result = aerr.typ
		} else if call.Result == "" {
			call.Result = "ok"
		}
		if call.Result == "hang" {
			return // recorded when the hang began
		}
		s.mu.Lock()
		s.calls = append(s.calls, call)
		s.mu.Unlock()
		if aerr != nil {
			prefix := "com.amazonaws.dynamodb.v20120810#"
			if aerr.typ == "ThrottlingException" {
				prefix = "com.amazon.coral.availability#"
			}
			body, _ = json.Marshal(map[string]string{"__type": prefix + aerr.typ, "message": aerr.msg})
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
		w.Header().Set("X-Amzn-Requestid", "dynamotest")
		if aerr != nil {
			w.WriteHeader(aerr.status)
		}
		_, _ = w.Write(body)
	}()

	if r.Method != http.MethodPost || r.URL.Path != "/" {
		aerr = &apiError{http.StatusNotFound, "UnknownOperationException", "POST / only"}
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.0" {
		aerr = &apiError{http.StatusBadRequest, "SerializationException", "Content-Type must be application/x-amz-json-1.0, got " + ct}
		return
	}
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+AccessKeyID+"/") || !strings.Contains(auth, "/dynamodb/aws4_request") ||
		!strings.Contains(auth, "Signature=") || r.Header.Get("X-Amz-Date") == "" {
		aerr = &apiError{http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid."}
		return
	}
	s.mu.Lock()
	var fault Fault
	if len(s.faults) > 0 {
		fault, s.faults = s.faults[0], s.faults[1:]
	}
	s.mu.Unlock()
	switch fault {
	case FaultThroughput:
		aerr = &apiError{http.StatusBadRequest, "ProvisionedThroughputExceededException",
			"The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."}
		return
	case FaultThrottling:
		aerr = &apiError{http.StatusBadRequest, "ThrottlingException", "Rate of requests exceeds the allowed throughput."}
		return
	case FaultInternal:
		aerr = &apiError{http.StatusInternalServerError, "InternalServerError", "Internal server error (injected)"}
		return
	case FaultUnavailable:
		aerr = &apiError{http.StatusServiceUnavailable, "ServiceUnavailable", "Service unavailable (injected)"}
		return
	case FaultHang:
		call.Result = "hang"
		s.mu.Lock()
		s.calls = append(s.calls, call)
		s.mu.Unlock()
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		return
	}
	var in map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		aerr = &apiError{http.StatusBadRequest, "SerializationException", "malformed JSON: " + err.Error()}
		return
	}
	switch op {
	case "PutItem":
		body, aerr = s.putItem(in, &call)
	case "GetItem":
		body, aerr = s.getItem(in)
	default:
		aerr = &apiError{http.StatusBadRequest, "UnknownOperationException", "unsupported operation " + target}
	}
}
