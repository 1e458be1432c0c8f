package httpguard

import "errors"

// ErrInvalidConfig is wrapped by every error returned by [Config.Validate]
// and [ParseConfig] for a configuration that cannot be used.
var ErrInvalidConfig = errors.New("httpguard: invalid config")
