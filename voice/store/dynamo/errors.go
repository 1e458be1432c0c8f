package dynamo

import "errors"

// Errors of the adapter; Put and Get also return store.ErrConflict,
// store.ErrThrottled and store.ErrNotFound.
var (
	// ErrInvalidConfig: a Config field is missing or out of range.
	ErrInvalidConfig = errors.New("dynamo: invalid config")
	// ErrInvalidRecord: a stored item cannot be read as a session record.
	ErrInvalidRecord = errors.New("dynamo: invalid stored record")
)
