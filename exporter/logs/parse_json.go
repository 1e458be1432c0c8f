package logs

import (
	"fmt"
	"net/netip"
	"strconv"
	"time"
)

// JSONParser parses the media core's slog JSON log events (field "event").
type JSONParser struct{}

var _ Parser = JSONParser{}

// providerReasons are the error reasons the media core logs; anything else is "other".
var providerReasons = map[string]bool{
	"timeout": true, "policy_violation": true, "auth": true, "throttled": true,
	"quota": true, "network": true, "other": true,
}

// Parse implements Parser.
func (JSONParser) Parse(line []byte, e *Entry) error {
	e.reset()
	var event, level, reason, state, path string
	var haveMsg bool
	ok := jsonFields(line, func(k, v []byte) {
		switch string(k) {
		case "time":
			if t, err := time.Parse(time.RFC3339Nano, string(v)); err == nil {
				e.Time = t
			}
		case "level":
			level = string(v)
		case "msg":
			haveMsg = true
		case "event":
			event = string(v)
		case "client_ip":
			if a, err := netip.ParseAddr(string(v)); err == nil {
				e.ClientIP = a.Unmap()
			}
		case "outcome":
			e.Outcome = string(v)
		case "reason":
			reason = string(v)
		case "state":
			state = string(v)
		case "result":
			e.Result = string(v)
		case "pattern":
			e.Pattern = string(v)
		case "method":
			e.Method = string(v)
		case "path":
			path = string(v)
		case "user_agent":
			e.UserAgent = string(v)
		case "status":
			if n, err := strconv.Atoi(string(v)); err == nil {
				e.Status = n
			}
		}
	})
	if !ok {
		return fmt.Errorf("json: not a flat JSON object: %w", ErrUnparsable)
	}
	if event == "" && (level == "" || !haveMsg) {
		return fmt.Errorf("json: no event and no level/msg: %w", ErrUnparsable)
	}
	e.Target = path
	e.Event = event
	switch level {
	case "WARN", "WARNING", "warn", "warning":
		e.Level = LevelWarn
	case "ERROR", "error":
		e.Level = LevelError
	}
	if !providerReasons[reason] {
		reason = "other"
	}
	switch event {
	case "session.started":
		e.Kind = KindSessionStarted
	case "session.ended":
		e.Kind = KindSessionEnded
		if e.Outcome == "completed" {
			e.Kind = KindSessionCompleted
		}
	case "ice.timeout":
		e.Kind, e.ErrorKind = KindError, "ice_timeout"
	case "connection.state":
		e.Kind = KindInfo
		if state == "failed" {
			e.Kind, e.ErrorKind = KindError, "connection_failed"
		}
	case "stt.error":
		e.Kind, e.ErrorKind = KindError, "stt_"+reason
	case "tts.error":
		e.Kind, e.ErrorKind = KindError, "tts_"+reason
	case "store.write":
		e.Kind = KindStoreWrite
	case "http.scanner":
		e.Kind = KindScanner
	case "http.request":
		e.Kind = KindRequest
	case "websocket.open":
		e.Kind = KindWebSocketOpen
	case "websocket.close":
		e.Kind = KindWebSocketClose
	default:
		e.Kind = KindInfo
		if e.Level == LevelWarn {
			e.Kind = KindWarning
		}
	}
	return nil
}
