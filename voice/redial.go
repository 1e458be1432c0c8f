package voice

import (
	"fmt"
	"log/slog"
	"net/http"
)

// HeaderRedialOf on POST /whip names the session a new call replaces: the
// caller lost it (ICE failed, or the session vanished) and dialled again.
// The new session records the link (session.started redial_of, the
// session record's redial_of), and the old one, when still open here, ends
// with reason "redialed".
const HeaderRedialOf = "Voicewatch-Redial-Of"

// EventSessionRedialed is logged on the replaced session before it ends.
const EventSessionRedialed = "session.redialed"

// redialHeader returns the session ID in Voicewatch-Redial-Of, "" when
// absent, or an error when it is not a session ID.
func redialHeader(r *http.Request) (string, error) {
	v := r.Header.Get(HeaderRedialOf)
	if v == "" {
		return "", nil
	}
	if !validSessionID(v) {
		return "", fmt.Errorf("%s must be the session ID of the call being replaced (32 hex digits), got %d characters", HeaderRedialOf, len(v))
	}
	return v, nil
}

func validSessionID(v string) bool {
	if len(v) != 32 {
		return false
	}
	for _, c := range v {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// endRedialed ends the replaced session when this instance still holds it
// (its caller has gone: waiting for ICE to fail would only hold a slot).
func (s *Server) endRedialed(old, by string) {
	if old == "" || old == by {
		return
	}
	prev, ok := s.lookup(old)
	if !ok {
		return
	}
	prev.events.emit(slog.LevelInfo, EventSessionRedialed, "redialed_by", by)
	prev.end(endRedialed)
}
