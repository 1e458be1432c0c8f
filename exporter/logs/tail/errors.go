package tail

import "errors"

// ErrInvalidConfig is returned by New for an unusable Config.
var ErrInvalidConfig = errors.New("tail: invalid config")
