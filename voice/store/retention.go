package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Sweep deletes the records last written before cutoff (store.retention)
// and returns how many it deleted. It stops early when ctx ends.
func (s *FileStore) Sweep(ctx context.Context, cutoff time.Time) (int, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return 0, fmt.Errorf("store: sweep %s: %w", s.dir, err)
	}
	n := 0
	for _, e := range entries {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(cutoff) {
			continue
		}
		s.mu.Lock() // not under a Put of the same record
		err = os.Remove(filepath.Join(s.dir, e.Name()))
		s.mu.Unlock()
		if err == nil {
			n++
		}
	}
	return n, nil
}
