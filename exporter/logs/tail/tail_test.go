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

// waitTimeout bounds every wait in these tests.
const waitTimeout = 10 * time.Second

// waitUntil polls cond until it holds (true) or waitTimeout passes (false).
func waitUntil(cond func() bool) bool {
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			return cond()
		case <-tick.C:
		}
	}
	return true
}

// waitFor fails the test unless cond holds within waitTimeout.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if !waitUntil(cond) {
		t.Fatalf("timed out after %v waiting for %s", waitTimeout, what)
	}
}

// waitForTailer is waitFor that reports the tailer's state on timeout.
func waitForTailer(t *testing.T, tl *Tailer, c *collector, what string, cond func() bool) {
	t.Helper()
	if waitUntil(cond) {
		return
	}
	got, last := c.snapshot(), "none"
	if len(got) > 0 {
		last = fmt.Sprintf("%q", got[len(got)-1])
	}
	t.Fatalf("timed out after %v waiting for %s: %d lines delivered (last %s), stats %+v",
		waitTimeout, what, len(got), last, tl.Stats())
}

// waitAll waits for n lines and checks they are line-0..line-(n-1), each
// once, in order; on timeout it also says which line is missing.
func waitAll(t *testing.T, tl *Tailer, c *collector, n int) {
	t.Helper()
	if !waitUntil(func() bool { return c.len() >= n }) {
		t.Errorf("timed out after %v waiting for all %d lines: stats %+v", waitTimeout, n, tl.Stats())
	}
	checkExactlyOnce(t, c.snapshot(), n)
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
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(waitTimeout):
			t.Errorf("Run did not return within %v of cancel", waitTimeout)
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

// TestFollowAcrossRotation: the writer writes numbered lines, each in two
// writes (so the tailer sees partial lines), and rotates the file by
// rename+create. At each rotation a line is left half-written, the file is
// renamed, and the line is finished in the renamed file before the new one is
// created (a process that reopens its log lazily), so the tailer must finish
// the old file before switching. Every line arrives exactly once, in order.
func TestFollowAcrossRotation(t *testing.T) {
	const total, perFile = 3000, 250
	path := filepath.Join(t.TempDir(), "app.log")
	tl, c := startTailer(t, Config{Path: path, PollInterval: time.Millisecond, FromStart: true})

	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }() // on failure; closed below otherwise
	write := func(s string) {
		t.Helper()
		if _, err := f.WriteString(s); err != nil {
			t.Fatal(err)
		}
	}
	first := 0 // the first line written to the file now at path
	for i := range total {
		s := fmt.Sprintf("line-%06d\n", i)
		if i == 0 || i%perFile != 0 {
			write(s[:4])
			write(s[4:])
			continue
		}
		// A file that is created and renamed away between two polls is never
		// seen by a follower that polls the path (tail -F neither): before
		// rotating, wait until the tailer has the current file open, i.e. has
		// delivered its first line. It may still lag behind within the file.
		n := i / perFile
		waitForTailer(t, tl, c, fmt.Sprintf("line %d, the first of file %d, before rotation %d", first, n, n),
			func() bool { return c.len() > first })
		write(s[:4])
		if err := os.Rename(path, fmt.Sprintf("%s.%d", path, n)); err != nil {
			t.Fatal(err)
		}
		write(s[4:])
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		if f, err = os.Create(path); err != nil {
			t.Fatal(err)
		}
		first = i + 1
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	waitAll(t, tl, c, total)
	if s := tl.Stats(); s.Rotations != total/perFile-1 {
		t.Errorf("Rotations = %d, want %d", s.Rotations, total/perFile-1)
	}
}

// TestFollowAcrossTruncation: copytruncate. The writer copies the file,
// truncates it and goes on writing; lines are neither lost nor repeated.
func TestFollowAcrossTruncation(t *testing.T) {
	const total, perFile = 2000, 200
	path := filepath.Join(t.TempDir(), "app.log")
	tl, c := startTailer(t, Config{Path: path, PollInterval: time.Millisecond, FromStart: true})

	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	truncations := uint64(0)
	for i := range total {
		if i > 0 && i%perFile == 0 {
			n := i / perFile
			// copytruncate loses whatever the reader has not read when the
			// file is cut (tail -F too): cut once it caught up.
			waitForTailer(t, tl, c, fmt.Sprintf("%d lines before truncation %d", i, n),
				func() bool { return c.len() >= i })
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(fmt.Sprintf("%s.%d", path, n), data, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := f.Truncate(0); err != nil {
				t.Fatal(err)
			}
			truncations++
			// Writing before the tailer looks could grow the file past its
			// offset again and hide the truncation (tail -F too).
			waitForTailer(t, tl, c, fmt.Sprintf("truncation %d to be noticed", n),
				func() bool { return tl.Stats().Truncations >= truncations })
		}
		if _, err := fmt.Fprintf(f, "line-%06d\n", i); err != nil {
			t.Fatal(err)
		}
	}
	waitAll(t, tl, c, total)
	if s := tl.Stats(); s.Truncations != truncations || s.Rotations != 0 {
		t.Errorf("Truncations, Rotations = %d, %d, want %d, 0", s.Truncations, s.Rotations, truncations)
	}
}

// TestRotationStepByStep drives poll by hand: while Path is missing the old
// file is kept; a line finished in the renamed file is delivered whole; a
// partial last line of the old file is delivered when it is left; the new
// file is read from its start, after the old one.
func TestRotationStepByStep(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.log")
	appendFile(t, path, "old-1\nold-")
	tl, err := New(Config{Path: path, FromStart: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tl.close()
	c := &collector{}
	poll := func(first bool) {
		t.Helper()
		if err := tl.poll(c.add, first); err != nil {
			t.Fatal(err)
		}
	}
	poll(true) // old-1; holds "old-"
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path+".1", "2\n")
	poll(false) // Path missing: keeps the old file
	appendFile(t, path+".1", "old-3")
	appendFile(t, path, "new-1\n")
	poll(false) // rotated
	appendFile(t, path, "new-2\n")
	poll(false)
	want := []string{"old-1", "old-2", "old-3", "new-1", "new-2"}
	if got := c.snapshot(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("lines = %q, want %q", got, want)
	}
	if s := tl.Stats(); s.Rotations != 1 || s.Lines != uint64(len(want)) || s.Offset != int64(len("new-1\nnew-2\n")) {
		t.Errorf("stats = %+v, want Rotations 1, Lines %d, Offset 12", s, len(want))
	}
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
