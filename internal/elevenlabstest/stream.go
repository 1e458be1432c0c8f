package elevenlabstest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/coder/websocket"

	"github.com/voicewatch/voicewatch/voice/audio"
)

// stream is one stream-input connection.
type stream struct {
	srv       *Server
	c         *websocket.Conn
	id        int
	failure   Failure
	firstByte time.Duration
	format    string
	headerKey string

	n             int             // messages received
	voiceSettings json.RawMessage // from the first message
	buf           string          // text not yet generated
	sentAudio     bool
}

// clientMsg is what the real API accepts; unknown fields are recorded too.
type clientMsg struct {
	Text                 *string         `json:"text"`
	VoiceSettings        json.RawMessage `json:"voice_settings"`
	XIAPIKey             string          `json:"xi_api_key"`
	TryTriggerGeneration bool            `json:"try_trigger_generation"`
	Flush                bool            `json:"flush"`
}

func (st *stream) run(ctx context.Context) {
	if st.failure == FailHang {
		<-ctx.Done()
		return
	}
	msgs := make(chan []byte)
	readDone := make(chan struct{})
	go func() { // owned by run: exits when the connection closes (deferred CloseNow)
		defer close(readDone)
		for {
			_, b, err := st.c.Read(ctx)
			if err != nil {
				close(msgs)
				return
			}
			select {
			case msgs <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	defer func() {
		_ = st.c.CloseNow()
		<-readDone
	}()
	idle := time.NewTimer(st.srv.cfg.InactivityTimeout)
	defer idle.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-idle.C:
			st.closeWith(websocket.StatusPolicyViolation, ReasonInactivity)
			return
		case b, ok := <-msgs:
			if !ok {
				return
			}
			idle.Reset(st.srv.cfg.InactivityTimeout)
			if done := st.handle(ctx, b); done {
				return
			}
		}
	}
}

// handle processes one client message; it reports whether the connection
// is finished.
func (st *stream) handle(ctx context.Context, b []byte) bool {
	st.n++
	var fields map[string]any
	_ = json.Unmarshal(b, &fields)
	st.srv.mu.Lock()
	st.srv.messages = append(st.srv.messages, Message{Conn: st.id, Index: st.n, Raw: append(json.RawMessage(nil), b...), Fields: fields})
	st.srv.mu.Unlock()

	var m clientMsg
	if err := json.Unmarshal(b, &m); err != nil || m.Text == nil {
		st.closeWith(websocket.StatusPolicyViolation, "Invalid message: a text field is required.")
		return true
	}
	if st.n == 1 {
		key := st.headerKey
		if key == "" {
			key = m.XIAPIKey
		}
		if st.failure == FailAuth || key == "" || (st.srv.cfg.APIKey != "" && key != st.srv.cfg.APIKey) {
			st.errorFrame("invalid_api_key", "Invalid API key")
			st.closeWith(websocket.StatusPolicyViolation, "Invalid API key")
			return true
		}
		if st.format != "ulaw_8000" {
			st.closeWith(websocket.StatusPolicyViolation, fmt.Sprintf("test server: unsupported output_format %q", st.format))
			return true
		}
		st.voiceSettings = m.VoiceSettings
		return false
	}
	// The rule the incident's bot broke: voice_settings belong to the first
	// message; later ones must be absent or unchanged.
	if m.VoiceSettings != nil && !bytes.Equal(compact(m.VoiceSettings), compact(st.voiceSettings)) {
		st.closeWith(websocket.StatusPolicyViolation, ReasonVoiceSettings)
		return true
	}
	if *m.Text == "" { // end of input: generate the rest, then isFinal
		if !st.generate(ctx) {
			return true
		}
		st.write(map[string]any{"audio": nil, "isFinal": true})
		_ = st.c.Close(websocket.StatusNormalClosure, "")
		return true
	}
	if st.failure == FailQuota {
		msg := "This request exceeds your quota of 10000. You have 0 credits remaining, while " +
			fmt.Sprint(len(*m.Text)) + " credits are required for this request."
		st.errorFrame("quota_exceeded", msg)
		st.closeWith(websocket.StatusPolicyViolation, msg)
		return true
	}
	st.buf += *m.Text
	if m.TryTriggerGeneration || m.Flush {
		return !st.generate(ctx)
	}
	return false
}

// generate sends the audio of the buffered text as frames; false when the
// connection ended.
func (st *stream) generate(ctx context.Context) bool {
	text := st.buf
	st.buf = ""
	if len(text) == 0 {
		return true
	}
	ms := len(text) * st.srv.cfg.MsPerChar
	pcm := audio.ToneULaw(220, 0.3, ms)
	frame := 8 * st.srv.cfg.FrameMs
	for off := 0; off < len(pcm); off += frame {
		if !st.sentAudio && st.firstByte > 0 {
			t := time.NewTimer(st.firstByte)
			select {
			case <-ctx.Done():
				t.Stop()
				return false
			case <-t.C:
			}
		}
		end := min(off+frame, len(pcm))
		st.write(map[string]any{
			"audio":   base64.StdEncoding.EncodeToString(pcm[off:end]),
			"isFinal": nil,
			"alignment": map[string]any{"chars": []string{}, "charStartTimesMs": []int{},
				"charDurationsMs": []int{}},
		})
		st.sentAudio = true
		switch st.failure {
		case FailDrop:
			_ = st.c.CloseNow() // the TCP connection goes away mid-stream
			return false
		case FailStall:
			<-ctx.Done()
			return false
		}
	}
	return true
}

func (st *stream) write(v any) {
	b, _ := json.Marshal(v)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = st.c.Write(ctx, websocket.MessageText, b)
}

// errorFrame sends the service's in-band error message.
func (st *stream) errorFrame(code, msg string) {
	st.write(map[string]any{"message": msg, "error": code, "code": int(websocket.StatusPolicyViolation)})
}

func (st *stream) closeWith(code websocket.StatusCode, reason string) {
	if len(reason) > 120 { // a close frame's reason is at most 123 bytes
		reason = reason[:120]
	}
	st.srv.mu.Lock()
	st.srv.closes = append(st.srv.closes, CloseRecord{Conn: st.id, Code: code, Reason: reason})
	st.srv.mu.Unlock()
	_ = st.c.Close(code, reason)
}

func compact(b json.RawMessage) []byte {
	if b == nil {
		return nil
	}
	var out bytes.Buffer
	if json.Compact(&out, b) != nil {
		return b
	}
	return out.Bytes()
}
