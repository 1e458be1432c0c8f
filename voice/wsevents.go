package voice

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/voicewatch/voicewatch/internal/httpguard"
)

// handleEvents is GET /whip/{id}/events: a WebSocket streaming the session's
// events (past ones first) until the session ends. The unguessable session
// ID (128 random bits, known only to the caller that created the session) is
// the capability: browsers cannot send an Authorization header on a
// WebSocket, and a token in the URL would end up in access logs.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.sessionOf(w, r)
	if !ok {
		return
	}
	past, live, cancel, ok := sess.events.subscribe()
	defer cancel()
	if !ok {
		httpguard.HangUp(w)
		w.Header().Set("Retry-After", "5")
		problem(w, http.StatusTooManyRequests, fmt.Sprintf("this session already has %d event subscribers", maxSubscribers))
		return
	}
	// The server's read and write timeouts bound HTTP requests; a
	// WebSocket lives as long as its session, so it is exempt (each write
	// below has its own deadline).
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept wrote the error response
	}
	s.metrics.wsConnections.Inc()
	s.metrics.wsActive.Inc()
	sess.log.Debug(EventWebSocketOpen, "event", EventWebSocketOpen)
	defer func() {
		s.metrics.wsActive.Dec()
		sess.log.Debug(EventWebSocketClose, "event", EventWebSocketClose)
	}()
	ctx := c.CloseRead(r.Context()) // we only write; reads handle pings and close
	send := func(ev Event) bool {
		b, err := json.Marshal(ev)
		if err != nil {
			return true
		}
		wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
		defer wcancel()
		return c.Write(wctx, websocket.MessageText, b) == nil
	}
	for _, ev := range past {
		if !send(ev) {
			return
		}
	}
	for {
		select {
		case ev, ok := <-live:
			if !ok {
				c.Close(websocket.StatusNormalClosure, "session ended")
				return
			}
			if !send(ev) {
				return
			}
		case <-ctx.Done():
			c.Close(websocket.StatusGoingAway, "")
			return
		}
	}
}
