package logs

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// jsonFields walks the top-level members of one flat JSON object and calls fn
// with each key and its raw value (strings already unquoted; nested objects
// and arrays are skipped). It allocates only for strings with escapes. It
// returns false when the line is not a single well-formed JSON object.
//
// slog's JSON handler writes exactly such objects, one per line; a full JSON
// decoder would cost several times more per line.
func jsonFields(line []byte, fn func(key, val []byte)) bool {
	s := &jscan{b: line}
	s.ws()
	if !s.eat('{') {
		return false
	}
	s.ws()
	if s.eat('}') {
		s.ws()
		return s.i == len(s.b)
	}
	for {
		s.ws()
		key, ok := s.str()
		if !ok {
			return false
		}
		s.ws()
		if !s.eat(':') {
			return false
		}
		s.ws()
		val, ok := s.value()
		if !ok {
			return false
		}
		fn(key, val)
		s.ws()
		if s.eat(',') {
			continue
		}
		if !s.eat('}') {
			return false
		}
		s.ws()
		return s.i == len(s.b)
	}
}

type jscan struct {
	b []byte
	i int
}

func (s *jscan) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

func (s *jscan) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str reads a JSON string and returns its unquoted value.
func (s *jscan) str() ([]byte, bool) {
	if !s.eat('"') {
		return nil, false
	}
	start := s.i
	escaped := false
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			raw := s.b[start:s.i]
			s.i++
			if !escaped {
				return raw, true
			}
			return unescape(raw)
		case c == '\\':
			escaped = true
			s.i += 2
		case c < 0x20:
			return nil, false
		default:
			s.i++
		}
	}
	return nil, false
}

// value reads any JSON value; containers are skipped and returned raw.
func (s *jscan) value() ([]byte, bool) {
	if s.i >= len(s.b) {
		return nil, false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		return s.str()
	case c == '{' || c == '[':
		start := s.i
		if !s.skipContainer() {
			return nil, false
		}
		return s.b[start:s.i], true
	default:
		start := s.i
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				goto done
			}
			s.i++
		}
	done:
		v := s.b[start:s.i]
		if len(v) == 0 || !validScalar(v) {
			return nil, false
		}
		return v, true
	}
}

func validScalar(v []byte) bool {
	switch string(v) {
	case "true", "false", "null":
		return true
	}
	_, err := strconv.ParseFloat(string(v), 64)
	return err == nil
}

// skipContainer skips a balanced object or array, honouring strings.
func (s *jscan) skipContainer() bool {
	depth := 0
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '"':
			if _, ok := s.str(); !ok {
				return false
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				s.i++
				return true
			}
		}
		s.i++
	}
	return false
}

// unescape decodes the escapes of a JSON string body.
func unescape(raw []byte) ([]byte, bool) {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(raw) {
			return nil, false
		}
		switch raw[i] {
		case '"', '\\', '/':
			out = append(out, raw[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			if i+5 > len(raw) {
				return nil, false
			}
			n, err := strconv.ParseUint(string(raw[i+1:i+5]), 16, 32)
			if err != nil {
				return nil, false
			}
			out = utf8.AppendRune(out, rune(n))
			i += 4
		default:
			return nil, false
		}
	}
	return out, true
}

// hasPrefixJSONObject reports whether the line looks like a JSON object.
func hasPrefixJSONObject(line []byte) bool {
	t := bytes.TrimLeft(line, " \t")
	return len(t) > 0 && t[0] == '{'
}
