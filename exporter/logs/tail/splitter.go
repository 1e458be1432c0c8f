package tail

import "bytes"

// splitter cuts a byte stream into lines of at most max bytes (without the
// newline). Bytes of a line that has no newline yet are held; a line longer
// than max is dropped entirely and counted in long.
type splitter struct {
	max      int
	pending  []byte
	skipping bool   // inside an over-long line: drop until the next newline
	long     uint64 // over-long lines dropped
}

// feed splits data and calls fn for each complete line. The slice passed to fn
// is only valid during the call.
func (s *splitter) feed(data []byte, fn func([]byte)) {
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			if s.skipping {
				return
			}
			if len(s.pending)+len(data) > s.max {
				s.pending = s.pending[:0]
				s.skipping = true
				s.long++
				return
			}
			s.pending = append(s.pending, data...)
			return
		}
		chunk := data[:i]
		data = data[i+1:]
		if s.skipping {
			s.skipping = false
			continue
		}
		if len(s.pending)+len(chunk) > s.max {
			s.pending = s.pending[:0]
			s.long++
			continue
		}
		line := chunk
		if len(s.pending) > 0 {
			s.pending = append(s.pending, chunk...)
			line = s.pending
		}
		fn(trimCR(line))
		s.pending = s.pending[:0]
	}
}

// flush emits a held partial line (used at the end of a stream or of a
// rotated file) and resets the state.
func (s *splitter) flush(fn func([]byte)) {
	if len(s.pending) > 0 && !s.skipping {
		fn(trimCR(s.pending))
	}
	s.reset()
}

// reset drops any held partial line.
func (s *splitter) reset() {
	s.pending = s.pending[:0]
	s.skipping = false
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}
