package scripted

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/voicewatch/voicewatch/internal/funcopt"
	"github.com/voicewatch/voicewatch/voice"
)

// Name is the provider name of the dialog.
const Name = "scripted"

// Dialog runs the script, one form per session. It is safe for concurrent
// use by many sessions.
type Dialog struct {
	cfg Config
	log *slog.Logger
	now func() time.Time

	mu       sync.Mutex
	sessions map[string]*form
}

var _ voice.Dialog = (*Dialog)(nil)

// form is one session's progress.
type form struct {
	slot       int // index of the slot being asked; len(slots) = confirming
	values     map[string]string
	attempts   int // failed answers to the current question
	silences   int // silence timeouts in a row
	lastActive time.Time
}

// New reads cfg's script file (File) when set, applies the defaults,
// validates the script and builds the dialog.
func New(cfg Config, opts ...Option) (*Dialog, error) {
	cfg, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.compiled()
	o := funcopt.Apply(options{now: time.Now}, opts)
	o.logger = funcopt.Logger(o.logger)
	return &Dialog{cfg: cfg, log: o.logger.With("component", "dialog", "provider", Name), now: o.now,
		sessions: map[string]*form{}}, nil
}

// Name implements voice.Dialog.
func (*Dialog) Name() string { return Name }

// Greeting implements voice.Dialog: the greeting and the first prompt.
func (d *Dialog) Greeting(ctx context.Context, sessionID string) (voice.Reply, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.expire()
	d.sessions[sessionID] = &form{values: map[string]string{}, lastActive: d.now()}
	return voice.Reply{Text: join(d.cfg.Greeting, d.cfg.Slots[0].Prompt)}, nil
}

// Reply implements voice.Dialog.
func (d *Dialog) Reply(ctx context.Context, t voice.Turn) (voice.Reply, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f, ok := d.sessions[t.SessionID]
	if !ok { // no greeting seen (or expired): start the form now
		f = &form{values: map[string]string{}}
		d.sessions[t.SessionID] = f
	}
	f.lastActive = d.now()
	r := d.step(f, t)
	if r.Hangup {
		delete(d.sessions, t.SessionID)
	}
	return r, nil
}

// Sessions returns the number of forms in progress.
func (d *Dialog) Sessions() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.sessions)
}

// step advances one form by one turn.
func (d *Dialog) step(f *form, t voice.Turn) voice.Reply {
	if t.TimedOut {
		f.silences++
		if f.silences >= d.cfg.MaxSilences {
			return voice.Reply{Text: d.cfg.GiveUp, Hangup: true}
		}
		return voice.Reply{Text: join(d.cfg.StillThere, d.question(f, false))}
	}
	f.silences = 0
	text := t.Transcript.Text
	if f.slot < len(d.cfg.Slots) {
		s := &d.cfg.Slots[f.slot]
		v, ok := s.extract(text)
		if !ok {
			return d.retry(f)
		}
		d.log.Debug("slot filled", "slot", s.Name, "turn", t.Index)
		f.values[s.Name] = v
		f.slot++
		f.attempts = 0
		if f.slot < len(d.cfg.Slots) || d.cfg.Confirm != "" {
			return voice.Reply{Text: d.question(f, false)}
		}
		return voice.Reply{Text: fill(d.cfg.Done, f.values), Hangup: true}
	}
	// Confirming the whole form.
	switch v, _ := yesNo(wordRE.FindAllString(strings.ToLower(text), -1)); v {
	case "yes":
		return voice.Reply{Text: fill(d.cfg.Done, f.values), Hangup: true}
	case "no":
		f.slot, f.attempts, f.values = 0, 0, map[string]string{}
		return voice.Reply{Text: join(d.cfg.Restart, d.cfg.Slots[0].Prompt)}
	}
	return d.retry(f)
}

func (d *Dialog) retry(f *form) voice.Reply {
	f.attempts++
	if f.attempts >= d.cfg.MaxAttempts {
		return voice.Reply{Text: d.cfg.GiveUp, Hangup: true}
	}
	return voice.Reply{Text: d.question(f, true)}
}

// question is the current prompt (or its reprompt), or the confirmation.
func (d *Dialog) question(f *form, again bool) string {
	if f.slot >= len(d.cfg.Slots) {
		return fill(d.cfg.Confirm, f.values)
	}
	s := d.cfg.Slots[f.slot]
	if again {
		return s.Reprompt
	}
	return s.Prompt
}

// expire forgets forms idle for longer than StateTTL. Called with d.mu held.
func (d *Dialog) expire() {
	cutoff := d.now().Add(-d.cfg.StateTTL)
	for id, f := range d.sessions {
		if f.lastActive.Before(cutoff) {
			delete(d.sessions, id)
		}
	}
}

func join(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}
