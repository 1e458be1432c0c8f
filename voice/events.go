package voice

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Log event names (the `event` field of JSON log lines). CloudWatch log
// metric filters and the sidecar's log pipeline match on them.
const (
	EventSessionStarted  = "session.started"
	EventSessionEnded    = "session.ended"
	EventICEGathering    = "ice.gathering"
	EventICETimeout      = "ice.timeout"
	EventConnectionState = "connection.state"
	EventICERestart      = "ice.restart"
	EventICESelectedPair = "ice.selected_pair"
	EventSTTError        = "stt.error"
	EventTTSError        = "tts.error"
	EventTranscript      = "stt.transcript"
	EventReply           = "bot.reply"
	EventStoreWrite      = "store.write"
	EventHTTPScanner     = "http.scanner"
	EventHTTPRequest     = "http.request"
	EventWebSocketOpen   = "websocket.open"
	EventWebSocketClose  = "websocket.close"
)

// Event is one session event, as logged and streamed to the test page.
type Event struct {
	Time   time.Time      `json:"time"`
	Event  string         `json:"event"`
	Fields map[string]any `json:"fields,omitempty"`
}

// eventHub logs a session's events and fans them out to WebSocket
// subscribers, keeping a bounded history for late subscribers.
type eventHub struct {
	log *slog.Logger
	now func() time.Time

	mu      sync.Mutex
	history []Event
	subs    map[chan Event]struct{}
	closed  bool
}

const maxHistory = 256

// maxSubscribers bounds event WebSockets per session: the test page opens
// one, a reconnecting page a second; each costs two goroutines.
const maxSubscribers = 4

func newEventHub(log *slog.Logger, now func() time.Time) *eventHub {
	return &eventHub{log: log, now: now, subs: map[chan Event]struct{}{}}
}

// emit logs the event at level and delivers it to subscribers. attrs are
// key/value pairs, as for slog.
func (h *eventHub) emit(level slog.Level, name string, attrs ...any) {
	h.log.Log(context.Background(), level, name, append([]any{"event", name}, attrs...)...)
	ev := Event{Time: h.now(), Event: name, Fields: map[string]any{}}
	for i := 0; i+1 < len(attrs); i += 2 {
		if k, ok := attrs[i].(string); ok {
			ev.Fields[k] = attrs[i+1]
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	if len(h.history) == maxHistory {
		h.history = h.history[1:]
	}
	h.history = append(h.history, ev)
	for c := range h.subs {
		select {
		case c <- ev:
		default: // a slow subscriber loses events rather than stall the session
		}
	}
}

// subscribe returns past events and a channel of new ones, closed when the
// session ends; cancel unsubscribes. ok is false when the session already
// has maxSubscribers.
func (h *eventHub) subscribe() (past []Event, c <-chan Event, cancel func(), ok bool) {
	ch := make(chan Event, 64)
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.subs) >= maxSubscribers {
		return nil, nil, func() {}, false
	}
	past = append([]Event(nil), h.history...)
	if h.closed {
		close(ch)
		return past, ch, func() {}, true
	}
	h.subs[ch] = struct{}{}
	return past, ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, ok := h.subs[ch]; ok {
			delete(h.subs, ch)
			close(ch)
		}
	}, true
}

// close ends every subscription.
func (h *eventHub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	for c := range h.subs {
		delete(h.subs, c)
		close(c)
	}
}
