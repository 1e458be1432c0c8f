package suite

import "errors"

// ErrConfig wraps every error about the suite file's content: the CLI exits
// with status 2 for it.
var ErrConfig = errors.New("invalid probe config")
