package webrtc

import (
	"sync"
	"time"
)

// event is a one-shot signal that remembers when it fired.
type event struct {
	once sync.Once
	c    chan struct{}
	at   time.Time
}

func newEvent() *event { return &event{c: make(chan struct{})} }

// fire signals the event; later calls do nothing.
func (e *event) fire() {
	e.once.Do(func() {
		e.at = time.Now()
		close(e.c)
	})
}

// time returns when the event fired; call only after <-e.c.
func (e *event) time() time.Time { return e.at }
