package logs

// Parser turns one log line (without its newline) into an Entry. It resets e
// first and returns an error wrapping ErrUnparsable when the line is not in its
// format. Implementations are safe for concurrent use.
type Parser interface {
	Parse(line []byte, e *Entry) error
}
