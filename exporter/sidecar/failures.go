package sidecar

import (
	"sync"
	"time"

	"github.com/voicewatch/voicewatch/probes"
)

// failure is one failed probe run shown on the status page.
type failure struct {
	At     time.Time
	Result probes.Result
}

// failureLog keeps the most recent failures, newest first. It outlives
// reloads.
type failureLog struct {
	now func() time.Time
	max int

	mu    sync.Mutex
	items []failure
}

func (l *failureLog) add(r probes.Result) {
	if r.Success || l.max <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.items = append([]failure{{At: l.now(), Result: r}}, l.items...)
	if len(l.items) > l.max {
		l.items = l.items[:l.max]
	}
}

func (l *failureLog) list() []failure {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]failure(nil), l.items...)
}
