package webhook

import "errors"

// Errors of the webhook dialog, wrapped in *voice.ProviderError.
var (
	// ErrStatus: the endpoint answered with a non-2xx status.
	ErrStatus = errors.New("webhook: unexpected status")
	// ErrBadReply: the answer is not the expected JSON.
	ErrBadReply = errors.New("webhook: malformed reply")
)
