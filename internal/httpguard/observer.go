package httpguard

import (
	"net/http"
	"net/netip"
)

// Rejection reasons passed to [Observer.Rejected]; a bounded set, safe as a
// metric label.
const (
	// ReasonBodyTooLarge: the declared Content-Length exceeds MaxBodyBytes.
	ReasonBodyTooLarge = "body_too_large"
	// ReasonTooManyConnections: a connection over MaxConnsPerClient was
	// closed on accept (see [LimitListener]).
	ReasonTooManyConnections = "too_many_connections"
)

// Observer is told about every request the Guard turns away, so the caller
// can count it and log it at the level it chooses (scanner traffic at debug
// level only). Methods are called synchronously on the request goroutine
// and must be cheap and safe for concurrent use. A nil Observer is allowed.
type Observer interface {
	// Scanner is called for a request classified as pattern p; it is
	// answered 404 (405 for an invalid method).
	Scanner(r *http.Request, client netip.Addr, p Pattern)
	// RateLimited is called for a request answered 429.
	RateLimited(r *http.Request, client netip.Addr)
	// Rejected is called for any other refusal, with the HTTP status sent
	// and a bounded reason such as [ReasonBodyTooLarge].
	Rejected(r *http.Request, client netip.Addr, status int, reason string)
}

// nopObserver is used when New is given a nil Observer.
type nopObserver struct{}

var _ Observer = nopObserver{}

func (nopObserver) Scanner(*http.Request, netip.Addr, Pattern)      {}
func (nopObserver) RateLimited(*http.Request, netip.Addr)           {}
func (nopObserver) Rejected(*http.Request, netip.Addr, int, string) {}
