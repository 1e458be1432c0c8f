package awstest

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// FaultKind selects what an injected fault does to a request.
type FaultKind int

// Fault kinds.
const (
	// FaultThrottle answers with the service's throttling error (HTTP 400,
	// code "Throttling" for CloudWatch, "ThrottlingException" for Logs),
	// which the SDK classifies as a retryable throttle.
	FaultThrottle FaultKind = iota + 1
	// FaultServerError answers with a 5xx status (Fault.Status, default 500)
	// and the service's internal failure shape.
	FaultServerError
	// FaultHang holds the request until the client gives up (its context
	// ends) or until Release or Clear is called; then it answers 503.
	FaultHang
	// FaultAPIError answers with Fault.Error, in the service's error shape
	// (e.g. AccessDenied for a missing IAM permission).
	FaultAPIError
)

// Fault describes a failure injected into matching requests.
type Fault struct {
	// Kind is what happens to a matching request.
	Kind FaultKind
	// Op restricts the fault to one operation (e.g. "PutMetricData");
	// empty matches every operation.
	Op string
	// Count is how many matching requests are affected; 0 means every
	// matching request until Until passes or Clear is called.
	Count int
	// Until ends the fault at this instant (zero: no deadline).
	Until time.Time
	// Status is the HTTP status of FaultServerError (default 500).
	Status int
	// Error is the answer of FaultAPIError.
	Error *APIError
}

// faults is the fault injector and request counter both servers embed.
type faults struct {
	mu       sync.Mutex
	active   []*Fault
	requests map[string]int
	release  chan struct{}
	changed  chan struct{} // closed and replaced on every request
	now      func() time.Time
}

func newFaults() *faults {
	return &faults{requests: map[string]int{}, release: make(chan struct{}), changed: make(chan struct{}), now: time.Now}
}

// Inject adds a fault; faults are matched in the order they were injected.
func (f *faults) Inject(ft Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := ft
	f.active = append(f.active, &c)
}

// ThrottleNext throttles the next n requests of any operation.
func (f *faults) ThrottleNext(n int) { f.Inject(Fault{Kind: FaultThrottle, Count: n}) }

// FailNext answers the next n requests of any operation with status (5xx).
func (f *faults) FailNext(n, status int) {
	f.Inject(Fault{Kind: FaultServerError, Count: n, Status: status})
}

// HangNext holds the next n requests until their context ends or Release.
func (f *faults) HangNext(n int) { f.Inject(Fault{Kind: FaultHang, Count: n}) }

// Release lets every request currently held by FaultHang finish (with 503).
func (f *faults) Release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	close(f.release)
	f.release = make(chan struct{})
}

// Clear removes every fault and releases held requests.
func (f *faults) Clear() {
	f.mu.Lock()
	f.active = nil
	f.mu.Unlock()
	f.Release()
}

// Requests returns how many requests reached the server for op (faulted
// ones included).
func (f *faults) Requests(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[op]
}

// TotalRequests returns how many requests reached the server.
func (f *faults) TotalRequests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.requests {
		n += c
	}
	return n
}

// WaitRequests blocks until at least n requests for op (any operation when
// op is empty) have reached the server, or ctx ends.
func (f *faults) WaitRequests(ctx context.Context, op string, n int) error {
	for {
		f.mu.Lock()
		got := f.requests[op]
		if op == "" {
			got = 0
			for _, c := range f.requests {
				got += c
			}
		}
		ch := f.changed
		f.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-ch:
		}
	}
}

// admit counts the request and returns the fault to apply, if any, plus the
// release channel current at admission.
func (f *faults) admit(op string) (*Fault, <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests[op]++
	close(f.changed)
	f.changed = make(chan struct{})
	now := f.now()
	kept := f.active[:0]
	var hit *Fault
	for _, ft := range f.active {
		if !ft.Until.IsZero() && !now.Before(ft.Until) {
			continue // expired
		}
		if hit == nil && (ft.Op == "" || ft.Op == op) {
			c := *ft
			hit = &c
			if ft.Count > 0 {
				ft.Count--
				if ft.Count == 0 {
					continue // used up
				}
			}
		}
		kept = append(kept, ft)
	}
	f.active = kept
	return hit, f.release
}

// apply runs the fault; it reports the error to answer with, or nil when the
// request should be served normally.
func applyFault(r *http.Request, ft *Fault, release <-chan struct{}, throttle, internal func(status int) *APIError) *APIError {
	if ft == nil {
		return nil
	}
	switch ft.Kind {
	case FaultThrottle:
		return throttle(http.StatusBadRequest)
	case FaultServerError:
		st := ft.Status
		if st == 0 {
			st = http.StatusInternalServerError
		}
		return internal(st)
	case FaultHang:
		select {
		case <-r.Context().Done():
		case <-release:
		}
		return internal(http.StatusServiceUnavailable)
	case FaultAPIError:
		return ft.Error
	}
	return nil
}
