package tail

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// collector records delivered lines.
type collector struct {
	mu    sync.Mutex
	lines []string
}

func (c *collector) add(b []byte) {
	c.mu.Lock()
	c.lines = append(c.lines, string(b))
	c.mu.Unlock()
}

func (c *collector) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.lines)
}

func (c *collector) snapshot() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.lines...)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// startTailer runs a tailer in a goroutine owned by the test.
func startTailer(t *testing.T, cfg Config) (*Tailer, *collector) {
	t.Helper()
	tl, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tl.Run(ctx, c.add) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return tl, c
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// checkExactlyOnce asserts lines are line-0..line-(n-1), each once, in order.
func checkExactlyOnce(t *testing.T, got []string, n int) {
	t.Helper()
	if len(got) != n {
		t.Errorf("got %d lines, want %d", len(got), n)
	}
	for i := 0; i < len(got) && i < n; i++ {
		if want := fmt.Sprintf("line-%06d", i); got[i] != want {
			t.Fatalf("line %d = %q, want %q (lost or repeated a line)", i, got[i], want)
		}
	}
}

// TestFollowAcrossRotation: a writer goroutine writes numbered lines, each
// in two writes (so the tailer sees partial lines), and rotates the file by
// rename+create; every line arrives exactly once, in order.
func TestFollowAcrossRotation(t *testing.T) {
	const total, perFile = 3000, 250
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	tl, c := startTailer(t, Config{Path: path, PollInterval: time.Millisecond, FromStart: true})

	errc := make(chan error, 1)
	go func() {
		errc <- func() error {
			f, err := os.Create(path)
			if err != nil {
				return err
			}
			rotations := uint64(0)
			for i := range total {
				if i > 0 && i%perFile == 0 {
					// Before rotating again, wait until the tailer switched
					// to the current file (a second rename before it looks
					// would hide a whole file, as with tail -F).
					for tl.Stats().Rotations < rotations {
						time.Sleep(100 * time.Microsecond)
					}
					if err := os.Rename(path, fmt.Sprintf("%s.%d", path, i/perFile)); err != nil {
						return err
					}
					// The writer keeps writing to the renamed file for a
					// while, like a process that reopens its log lazily.
					if _, err := fmt.Fprintf(f, "line-%06d\n", i); err != nil {
						return err
					}
					if err := f.Close(); err != nil {
						return err
					}
					if f, err = os.Create(path); err != nil {
						return err
					}
					rotations++
					continue
				}
				s := fmt.Sprintf("line-%06d\n", i)
				if _, err := f.WriteString(s[:4]); err != nil {
					return err
				}
				if _, err := f.WriteString(s[4:]); err != nil {
					return err
				}
			}
			return f.Close()
		}()
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	waitFor(t, "all lines", func() bool { return c.len() >= total })
	checkExactlyOnce(t, c.snapshot(), total)
	if s := tl.Stats(); s.Rotations != total/perFile-1 {
		t.Errorf("Rotations = %d, want %d", s.Rotations, total/perFile-1)
	}
}

// TestFollowAcrossTruncation: copytruncate. The writer copies the file,
// truncates it and goes on writing; lines are neither lost nor repeated.
func TestFollowAcrossTruncation(t *testing.T) {
	const total, perFile = 2000, 200
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	tl, c := startTailer(t, Config{Path: path, PollInterval: time.Millisecond, FromStart: true})

	errc := make(chan error, 1)
	go func() {
		errc <- func() error {
			f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
			if err != nil {
				return err
			}
			defer f.Close()
			truncations := uint64(0)
			for i := range total {
				if i > 0 && i%perFile == 0 {
					// copytruncate loses whatever the reader has not read
					// when the file is cut (tail -F too): cut once it caught up.
					for c.len() < i {
						time.Sleep(100 * time.Microsecond)
					}
					data, err := os.ReadFile(path)
					if err != nil {
						return err
					}
					if err := os.WriteFile(fmt.Sprintf("%s.%d", path, i/perFile), data, 0o644); err != nil {
						return err
					}
					if err := f.Truncate(0); err != nil {
						return err
					}
					truncations++
					for tl.Stats().Truncations < truncations {
						time.Sleep(100 * time.Microsecond)
					}
				}
				if _, err := fmt.Fprintf(f, "line-%06d\n", i); err != nil {
					return err
				}
			}
			return nil
		}()
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	waitFor(t, "all lines", func() bool { return c.len() >= total })
	checkExactlyOnce(t, c.snapshot(), total)
}

func TestStartsAtEndUnlessFromStart(t *testing.T) {
	tests := []struct {
		name      string
		fromStart bool
		want      []string
	}{
		{name: "tail -F -n0", fromStart: false, want: []string{"new"}},
		{name: "from start", fromStart: true, want: []string{"old", "new"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "a.log")
			appendFile(t, path, "old\n")
			tl, c := startTailer(t, Config{Path: path, PollInterval: time.Millisecond, FromStart: tc.fromStart})
			waitFor(t, "first poll", func() bool { return tl.Stats().Offset == 4 })
			appendFile(t, path, "new\n")
			waitFor(t, "lines", func() bool { return c.len() >= len(tc.want) })
			if got := c.snapshot(); strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("lines = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPartialLineHeldUntilNewline(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.log")
	tl, c := startTailer(t, Config{Path: path, PollInterval: time.Millisecond, FromStart: true})
	appendFile(t, path, "hel")
	waitFor(t, "partial read", func() bool { return tl.Stats().Offset == 3 })
	if n := c.len(); n != 0 {
		t.Fatalf("partial line delivered early: %q", c.snapshot())
	}
	appendFile(t, path, "lo\n")
	waitFor(t, "line", func() bool { return c.len() == 1 })
	if got := c.snapshot()[0]; got != "hello" {
		t.Errorf("line = %q, want hello", got)
	}
}

func TestOverlongLinesSkippedAndCounted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.log")
	tl, c := startTailer(t, Config{Path: path, PollInterval: time.Millisecond, MaxLineBytes: 16, FromStart: true})
	appendFile(t, path, "short\n"+strings.Repeat("x", 100))
	waitFor(t, "long line seen", func() bool { return tl.Stats().LongLines == 1 })
	appendFile(t, path, strings.Repeat("y", 100)+"\nafter\n")
	waitFor(t, "after", func() bool { return c.len() == 2 })
	if got := c.snapshot(); got[0] != "short" || got[1] != "after" {
		t.Errorf("lines = %q, want [short after]", got)
	}
	if s := tl.Stats(); s.LongLines != 1 {
		t.Errorf("LongLines = %d, want 1", s.LongLines)
	}
}

func TestReadLines(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		max      int
		want     []string
		wantLong uint64
	}{
		{name: "final line without newline", in: "a\nb", want: []string{"a", "b"}},
		{name: "crlf", in: "a\r\nb\r\n", want: []string{"a", "b"}},
		{name: "empty lines kept", in: "a\n\nb\n", want: []string{"a", "", "b"}},
		{name: "over-long skipped", in: "abc\n0123456789\nxy\n", max: 4, want: []string{"abc", "xy"}, wantLong: 1},
		{name: "over-long at end", in: "abc\n0123456789", max: 4, want: []string{"abc"}, wantLong: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			long, err := ReadLines(context.Background(), strings.NewReader(tc.in), tc.max, func(b []byte) { got = append(got, string(b)) })
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") || long != tc.wantLong {
				t.Errorf("got %q long=%d, want %q long=%d", got, long, tc.want, tc.wantLong)
			}
		})
	}
}

func TestNewRejectsInvalidConfig(t *testing.T) {
	for _, cfg := range []Config{{}, {Path: "x", PollInterval: -1}} {
		if _, err := New(cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("New(%+v) = %v, want ErrInvalidConfig", cfg, err)
		}
	}
}
