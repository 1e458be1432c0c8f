package logs

import (
	"errors"
	"fmt"
)

var (
	// ErrUnparsable is returned by a Parser for a line it does not recognise.
	ErrUnparsable = errors.New("unparsable line")
	// ErrHeaderLine is returned by a Parser for a header line of its
	// format (CloudFront's #Version and #Fields): not a record, not an
	// error. It wraps ErrUnparsable (the line is no record), so check it
	// first.
	ErrHeaderLine = fmt.Errorf("%w: header line", ErrUnparsable)
	// ErrInvalidRuleSet is returned when a YAML rule set fails to decode or validate.
	ErrInvalidRuleSet = errors.New("invalid rule set")
	// ErrUnknownFormat is returned for a --format / format value that names no parser.
	ErrUnknownFormat = errors.New("unknown log format")
	// ErrInvalidConfig is returned by New and BuildReport for invalid settings.
	ErrInvalidConfig = errors.New("invalid logs config")
)
