package voicetest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"sync"
)

// LogBuffer is a log sink safe for concurrent writes, for
// slog.NewJSONHandler.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *LogBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *LogBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Events returns the decoded JSON log lines; lines that are not JSON are
// skipped.
func (s *LogBuffer) Events() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(s.b.Bytes()))
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// Find returns the JSON log lines whose "event" field is event and whose
// fields include every pair of match (nil matches all).
func (s *LogBuffer) Find(event string, match map[string]any) []map[string]any {
	var out []map[string]any
next:
	for _, e := range s.Events() {
		if e["event"] != event {
			continue
		}
		for k, v := range match {
			if e[k] != v {
				continue next
			}
		}
		out = append(out, e)
	}
	return out
}
