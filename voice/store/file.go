package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// FileStore keeps one JSON file per session in a directory. Writes go to a
// temporary file that is synced and renamed over the old one, then the
// directory is synced: a crash leaves either the old or the new record, never
// a half-written one.
type FileStore struct {
	dir string
	mu  sync.Mutex // serialises version checks and renames
}

var _ Store = (*FileStore)(nil)

// NewFileStore opens (creating if needed) a store in dir and removes
// temporary files a crash left behind.
func NewFileStore(dir string) (*FileStore, error) {
	if dir == "" {
		return nil, errors.New("store: directory is empty; set store.dir")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("store: create %s: %w", dir, err)
	}
	tmps, _ := filepath.Glob(filepath.Join(dir, ".tmp-*"))
	for _, t := range tmps {
		_ = os.Remove(t)
	}
	return &FileStore{dir: dir}, nil
}

func (s *FileStore) path(id string) (string, error) {
	if id == "" || strings.ContainsAny(id, `/\.`) {
		return "", fmt.Errorf("store: invalid session id %q", id)
	}
	return filepath.Join(s.dir, id+".json"), nil
}

// Get implements Store.
func (s *FileStore) Get(ctx context.Context, id string) (Record, error) {
	p, err := s.path(id)
	if err != nil {
		return Record{}, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return Record{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return Record{}, fmt.Errorf("store: read %s: %w", id, err)
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return Record{}, fmt.Errorf("store: decode %s: %w", p, err)
	}
	return r, nil
}

// Put implements Store.
func (s *FileStore) Put(ctx context.Context, r Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := s.path(r.ID)
	if err != nil {
		return err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("store: encode %s: %w", r.ID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.Get(ctx, r.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		if r.Version != 1 {
			return fmt.Errorf("%w: %s is new, version %d (want 1)", ErrConflict, r.ID, r.Version)
		}
	case err != nil:
		return err
	case r.Version != old.Version+1:
		return fmt.Errorf("%w: %s stored version %d, write version %d", ErrConflict, r.ID, old.Version, r.Version)
	}
	return s.writeAtomic(p, b)
}

func (s *FileStore) writeAtomic(p string, b []byte) error {
	f, err := os.CreateTemp(s.dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("store: write: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("store: sync: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return fmt.Errorf("store: rename: %w", err)
	}
	d, err := os.Open(s.dir)
	if err != nil {
		return fmt.Errorf("store: sync dir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("store: sync dir: %w", err)
	}
	return nil
}
