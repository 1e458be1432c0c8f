package tail

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxLineBytes is the line length limit when none is configured.
const DefaultMaxLineBytes = 64 << 10

// ReadLines reads r to EOF and calls fn for each line (without the newline; a
// final line without newline is delivered too). Lines longer than maxLine
// bytes (0 = DefaultMaxLineBytes) are skipped and counted in long. The slice
// passed to fn is only valid during the call. ReadLines stops early when ctx
// is done, returning ctx.Err(). Use it for stdin and for reading whole files.
func ReadLines(ctx context.Context, r io.Reader, maxLine int, fn func([]byte)) (long uint64, err error) {
	if maxLine <= 0 {
		maxLine = DefaultMaxLineBytes
	}
	s := splitter{max: maxLine}
	buf := make([]byte, 64<<10)
	for {
		if err := ctx.Err(); err != nil {
			return s.long, err
		}
		n, rerr := r.Read(buf)
		s.feed(buf[:n], fn)
		if rerr != nil {
			s.flush(fn)
			if errors.Is(rerr, io.EOF) {
				return s.long, nil
			}
			return s.long, fmt.Errorf("tail: read: %w", rerr)
		}
	}
}
