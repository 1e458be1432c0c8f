package waf

import "errors"

var (
	// ErrInvalidConfig wraps every configuration problem found by
	// Config.Validate and Build.
	ErrInvalidConfig = errors.New("invalid waf config")
	// ErrOverBudget is returned by Build when the web ACL needs more WCUs
	// than the configured budget.
	ErrOverBudget = errors.New("web ACL over its WCU budget")
	// ErrNotFound is returned by Apply when the load balancer to associate
	// does not exist.
	ErrNotFound = errors.New("not found")
)
