package tail

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"time"
)

// Config configures a Tailer.
type Config struct {
	// Path is the file to follow. It may not exist yet. Required.
	Path string
	// PollInterval is how often the file is checked for new data, rotation
	// and truncation. Default 250ms.
	PollInterval time.Duration
	// MaxLineBytes bounds a line; longer lines are skipped and counted.
	// Default DefaultMaxLineBytes (64 KiB).
	MaxLineBytes int
	// FromStart reads a file that exists at start from its beginning. Default
	// false: start at its current end, like `tail -F -n 0`. Files that appear
	// later (after rotation) are always read from their beginning.
	FromStart bool
}

// Option configures optional Tailer dependencies.
type Option func(*Tailer)

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(t *Tailer) { t.log = l } }

// Stats are a Tailer's counters and position.
type Stats struct {
	Lines       uint64 // lines delivered
	LongLines   uint64 // over-long lines skipped
	Rotations   uint64 // switches to a new file at Path (rename+create, delete+create)
	Truncations uint64 // times the file shrank below the read offset (copytruncate)
	Offset      int64  // read offset in the current file
}

// Tailer follows one file. Create it with New and call Run once.
type Tailer struct {
	cfg Config
	log *slog.Logger

	mu    sync.Mutex
	stats Stats

	f     *os.File
	fi    fs.FileInfo
	split splitter
	buf   []byte
}

// DefaultPollInterval is how often a file is checked when none is set.
const DefaultPollInterval = 250 * time.Millisecond

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	c.PollInterval = cmp.Or(c.PollInterval, DefaultPollInterval)
	c.MaxLineBytes = cmp.Or(c.MaxLineBytes, DefaultMaxLineBytes)
	return c
}

// New validates cfg, applies defaults and returns a Tailer.
func New(cfg Config, opts ...Option) (*Tailer, error) {
	if cfg.Path == "" {
		return nil, fmt.Errorf("%w: Path is required", ErrInvalidConfig)
	}
	if cfg.PollInterval < 0 || cfg.MaxLineBytes < 0 {
		return nil, fmt.Errorf("%w: PollInterval and MaxLineBytes must not be negative", ErrInvalidConfig)
	}
	cfg = cfg.WithDefaults()
	t := &Tailer{cfg: cfg, log: slog.New(slog.DiscardHandler), buf: make([]byte, 64<<10)}
	for _, o := range opts {
		o(t)
	}
	t.log = t.log.With("component", "tail", "path", cfg.Path)
	t.split.max = cfg.MaxLineBytes
	return t, nil
}

// Stats returns a snapshot of the counters. Safe to call during Run.
func (t *Tailer) Stats() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stats
}

// Run follows the file until ctx is done and calls fn, from Run's goroutine,
// for every complete line (without the newline; the slice is only valid
// during the call). It returns nil when ctx is cancelled and an error only
// for failures other than the file being absent.
func (t *Tailer) Run(ctx context.Context, fn func([]byte)) error {
	defer t.close()
	first := true
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
		if err := t.poll(fn, first); err != nil {
			return err
		}
		first = false
		timer.Reset(t.cfg.PollInterval)
	}
}

func (t *Tailer) close() {
	if t.f != nil {
		_ = t.f.Close()
		t.f = nil
	}
}

// poll reads new data and handles rotation and truncation.
func (t *Tailer) poll(fn func([]byte), first bool) error {
	if t.f == nil {
		opened, err := t.open(!first || t.cfg.FromStart)
		if err != nil || !opened {
			return err
		}
	}
	if err := t.drain(fn); err != nil {
		return err
	}
	cur, err := os.Stat(t.cfg.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil // moved away and not recreated yet: keep the old file
	case err != nil:
		return fmt.Errorf("tail: stat: %w", err)
	case !os.SameFile(t.fi, cur):
		// Rotated: finish the old file (the writer may have written after
		// our last read), then switch to the new one from its start.
		if err := t.drain(fn); err != nil {
			return err
		}
		t.split.flush(t.counting(fn))
		t.close()
		t.mu.Lock()
		t.stats.Rotations++
		t.mu.Unlock()
		t.log.Debug("file rotated")
		if _, err := t.open(true); err != nil {
			return err
		}
		return t.drain(fn)
	case cur.Size() < t.offset():
		// Truncated in place: what we held of a partial line is gone.
		if _, err := t.f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("tail: seek: %w", err)
		}
		t.split.reset()
		t.mu.Lock()
		t.stats.Truncations++
		t.stats.Offset = 0
		t.mu.Unlock()
		t.log.Debug("file truncated")
		return t.drain(fn)
	}
	return nil
}

// open opens Path; fromStart=false positions at the end.
func (t *Tailer) open(fromStart bool) (bool, error) {
	f, err := os.Open(t.cfg.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("tail: open: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return false, fmt.Errorf("tail: stat: %w", err)
	}
	var off int64
	if !fromStart {
		if off, err = f.Seek(0, io.SeekEnd); err != nil {
			_ = f.Close()
			return false, fmt.Errorf("tail: seek: %w", err)
		}
	}
	t.f, t.fi = f, fi
	t.split.reset()
	t.mu.Lock()
	t.stats.Offset = off
	t.mu.Unlock()
	return true, nil
}

func (t *Tailer) offset() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stats.Offset
}

// drain reads the open file to its current end.
func (t *Tailer) drain(fn func([]byte)) error {
	cfn := t.counting(fn)
	for {
		n, err := t.f.Read(t.buf)
		if n > 0 {
			t.split.feed(t.buf[:n], cfn)
			t.mu.Lock()
			t.stats.Offset += int64(n)
			t.stats.LongLines = t.split.long
			t.mu.Unlock()
		}
		if errors.Is(err, io.EOF) || (err == nil && n == 0) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("tail: read: %w", err)
		}
	}
}

func (t *Tailer) counting(fn func([]byte)) func([]byte) {
	return func(b []byte) {
		fn(b)
		t.mu.Lock()
		t.stats.Lines++
		t.mu.Unlock()
	}
}
