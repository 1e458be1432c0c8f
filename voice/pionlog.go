package voice

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/pion/logging"
)

// Rate of pion log lines that reach the log: a malformed packet or offer
// can make pion log the same error thousands of times a second.
const (
	pionLogPerSecond = 10
	pionLogBurst     = 20
)

// pionLogFactory routes pion's loggers through slog (JSON like every other
// line, component "pion", the pion scope as an attribute), at or above
// min only, and rate limited across all scopes: over the limit lines are
// dropped and the next line that passes says how many were.
type pionLogFactory struct {
	log *slog.Logger
	min slog.Level
	now func() time.Time

	mu         sync.Mutex
	tokens     float64
	last       time.Time
	suppressed int
}

var _ logging.LoggerFactory = (*pionLogFactory)(nil)

func newPionLogFactory(log *slog.Logger, min slog.Level, now func() time.Time) *pionLogFactory {
	return &pionLogFactory{log: log.With("component", "pion"), min: min, now: now, tokens: pionLogBurst}
}

// NewLogger implements logging.LoggerFactory.
func (f *pionLogFactory) NewLogger(scope string) logging.LeveledLogger {
	return pionLogger{f: f, scope: scope}
}

// allow takes a token; it returns the lines dropped since the last allowed
// one.
func (f *pionLogFactory) allow() (ok bool, dropped int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if !f.last.IsZero() {
		f.tokens = min(pionLogBurst, f.tokens+now.Sub(f.last).Seconds()*pionLogPerSecond)
	}
	f.last = now
	if f.tokens < 1 {
		f.suppressed++
		return false, 0
	}
	f.tokens--
	dropped, f.suppressed = f.suppressed, 0
	return true, dropped
}

func (f *pionLogFactory) emit(level slog.Level, scope, msg string) {
	if level < f.min || !f.log.Enabled(context.Background(), level) {
		return
	}
	ok, dropped := f.allow()
	if !ok {
		return
	}
	attrs := []any{"scope", scope}
	if dropped > 0 {
		attrs = append(attrs, "suppressed", dropped)
	}
	f.log.Log(context.Background(), level, msg, attrs...)
}

type pionLogger struct {
	f     *pionLogFactory
	scope string
}

const levelTrace = slog.LevelDebug - 4

func (l pionLogger) Trace(msg string) { l.f.emit(levelTrace, l.scope, msg) }
func (l pionLogger) Tracef(format string, args ...any) {
	l.f.emit(levelTrace, l.scope, fmt.Sprintf(format, args...))
}
func (l pionLogger) Debug(msg string) { l.f.emit(slog.LevelDebug, l.scope, msg) }
func (l pionLogger) Debugf(format string, args ...any) {
	l.f.emit(slog.LevelDebug, l.scope, fmt.Sprintf(format, args...))
}
func (l pionLogger) Info(msg string) { l.f.emit(slog.LevelInfo, l.scope, msg) }
func (l pionLogger) Infof(format string, args ...any) {
	l.f.emit(slog.LevelInfo, l.scope, fmt.Sprintf(format, args...))
}
func (l pionLogger) Warn(msg string) { l.f.emit(slog.LevelWarn, l.scope, msg) }
func (l pionLogger) Warnf(format string, args ...any) {
	l.f.emit(slog.LevelWarn, l.scope, fmt.Sprintf(format, args...))
}
func (l pionLogger) Error(msg string) { l.f.emit(slog.LevelError, l.scope, msg) }
func (l pionLogger) Errorf(format string, args ...any) {
	l.f.emit(slog.LevelError, l.scope, fmt.Sprintf(format, args...))
}
