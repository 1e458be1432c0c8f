package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestFileStoreVersions(t *testing.T) {
	ctx := context.Background()
	s, err := NewFileStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r := Record{ID: "abc123", Version: 1, State: "started", StartedAt: time.Unix(100, 0).UTC()}
	if err := s.Put(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, r); !errors.Is(err, ErrConflict) {
		t.Fatalf("second write of version 1: %v, want ErrConflict", err)
	}
	r.Version, r.State, r.Outcome = 2, "ended", "completed"
	if err := s.Put(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "abc123")
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || got.Outcome != "completed" || !got.StartedAt.Equal(r.StartedAt) {
		t.Fatalf("got %+v", got)
	}
	if _, err := s.Get(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	if err := s.Put(ctx, Record{ID: "../etc/passwd", Version: 1}); err == nil {
		t.Fatal("path traversal id accepted")
	}
}

// A crash between writing the temporary file and the rename leaves the old
// record intact and the leftover is cleaned when the store reopens.
func TestFileStoreCrashLeavesWholeRecord(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, Record{ID: "s1", Version: 1, State: "started"}); err != nil {
		t.Fatal(err)
	}
	// Simulate the crash: a half-written temp file next to the record.
	if err := os.WriteFile(filepath.Join(dir, ".tmp-123"), []byte(`{"id":"s1","vers`), 0o600); err != nil {
		t.Fatal(err)
	}
	s2, err := NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s2.Get(ctx, "s1")
	if err != nil || got.State != "started" {
		t.Fatalf("after crash: %+v %v", got, err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".tmp-*"))
	if len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}
