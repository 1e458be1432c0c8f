package scripted

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is a form script (the `dialog.scripted` block of voice.yaml, or
// the file it names).
type Config struct {
	// File reads the script from a YAML file instead of the fields below.
	File string `yaml:"file"`
	// Greeting is said when the call connects, before the first prompt.
	// Default: none.
	Greeting string `yaml:"greeting"`
	// Slots are asked in order. At least one is required.
	Slots []Slot `yaml:"slots"`
	// Confirm is asked once every slot is filled; {slot} placeholders are
	// replaced by the values. A "no" answer starts the form again. Default:
	// none (no confirmation).
	Confirm string `yaml:"confirm"`
	// Done is said, then the call ends (completed). Placeholders allowed.
	// Default "Thank you. Goodbye."
	Done string `yaml:"done"`
	// Restart is said when the caller rejects the confirmation. Default
	// "Let's start again."
	Restart string `yaml:"restart"`
	// GiveUp is said before hanging up when a slot failed MaxAttempts times
	// or the caller stayed silent MaxSilences times in a row. Default
	// "Sorry, I could not understand. Goodbye."
	GiveUp string `yaml:"give_up"`
	// StillThere prefixes the prompt after a silence timeout. Default
	// "Are you still there?"
	StillThere string `yaml:"still_there"`
	// MaxAttempts is how many answers a slot may fail. Default 3.
	MaxAttempts int `yaml:"max_attempts"`
	// MaxSilences is how many silence timeouts in a row end the call.
	// Default 2.
	MaxSilences int `yaml:"max_silences"`
	// StateTTL forgets a session not heard from for this long (the dialog
	// is not told when a call ends). Default 1h.
	StateTTL time.Duration `yaml:"state_ttl"`
}

// Slot is one form field.
type Slot struct {
	// Name is the placeholder name ({name}). Required, unique.
	Name string `yaml:"name"`
	// Prompt asks for the value. Required.
	Prompt string `yaml:"prompt"`
	// Reprompt is said when an answer does not fit. Default: "Sorry, I did
	// not get that. " + Prompt.
	Reprompt string `yaml:"reprompt"`
	// Type is how the value is read from the transcript: text (default),
	// number, yesno, choice or pattern.
	Type string `yaml:"type"`
	// Choices are the accepted words of a choice slot.
	Choices []string `yaml:"choices"`
	// Pattern is the regular expression of a pattern slot; its first
	// capture group (or the whole match) is the value. Case-insensitive.
	Pattern string `yaml:"pattern"`
	// Min and Max bound a number slot (inclusive) when set.
	Min *int `yaml:"min"`
	Max *int `yaml:"max"`

	re *regexp.Regexp
}

// Slot types.
const (
	TypeText    = "text"
	TypeNumber  = "number"
	TypeYesNo   = "yesno"
	TypeChoice  = "choice"
	TypePattern = "pattern"
)

var placeholder = regexp.MustCompile(`\{([a-z0-9_]+)\}`)

// resolve returns the script c names in File (read strictly with Load),
// or c itself when File is empty.
func (c Config) resolve() (Config, error) {
	if c.File == "" {
		return c, nil
	}
	if c.Greeting != "" || len(c.Slots) > 0 || c.Confirm != "" || c.Done != "" {
		return Config{}, errors.New("scripted: set either file or the inline script, not both")
	}
	return Load(c.File)
}

// WithDefaults returns c with every zero field, its slots' included, set
// to its default. The slots are copied: c is not changed.
func (c Config) WithDefaults() Config {
	c.Done = cmp.Or(c.Done, "Thank you. Goodbye.")
	c.Restart = cmp.Or(c.Restart, "Let's start again.")
	c.GiveUp = cmp.Or(c.GiveUp, "Sorry, I could not understand. Goodbye.")
	c.StillThere = cmp.Or(c.StillThere, "Are you still there?")
	c.MaxAttempts = cmp.Or(c.MaxAttempts, 3)
	c.MaxSilences = cmp.Or(c.MaxSilences, 2)
	c.StateTTL = cmp.Or(c.StateTTL, time.Hour)
	c.Slots = slices.Clone(c.Slots)
	for i := range c.Slots {
		s := &c.Slots[i]
		s.Reprompt = cmp.Or(s.Reprompt, "Sorry, I did not get that. "+s.Prompt)
		s.Type = cmp.Or(s.Type, TypeText)
	}
	return c
}

// Validate checks a script with defaults applied (WithDefaults), saying
// what to fix.
func (c Config) Validate() error {
	var errs []error
	if len(c.Slots) == 0 {
		errs = append(errs, errors.New("scripted: slots: at least one slot is required"))
	}
	names := map[string]bool{}
	for i, s := range c.Slots {
		where := fmt.Sprintf("scripted: slots[%d] (%s)", i, s.Name)
		switch {
		case s.Name == "":
			errs = append(errs, fmt.Errorf("scripted: slots[%d]: name is required", i))
		case !placeholder.MatchString("{" + s.Name + "}"):
			errs = append(errs, fmt.Errorf("%s: name must be lower-case letters, digits and _", where))
		case names[s.Name]:
			errs = append(errs, fmt.Errorf("%s: duplicate name", where))
		}
		names[s.Name] = true
		if s.Prompt == "" {
			errs = append(errs, fmt.Errorf("%s: prompt is required", where))
		}
		switch s.Type {
		case TypeText, TypeNumber, TypeYesNo:
		case TypeChoice:
			if len(s.Choices) == 0 {
				errs = append(errs, fmt.Errorf("%s: a choice slot needs choices", where))
			}
		case TypePattern:
			if _, err := s.compile(); err != nil || s.Pattern == "" {
				errs = append(errs, fmt.Errorf("%s: pattern %q is not a regular expression: %v", where, s.Pattern, err))
			}
		default:
			errs = append(errs, fmt.Errorf("%s: type %q: want text, number, yesno, choice or pattern", where, s.Type))
		}
	}
	for _, ft := range [][2]string{{"confirm", c.Confirm}, {"done", c.Done}} {
		for _, m := range placeholder.FindAllStringSubmatch(ft[1], -1) {
			if !names[m[1]] {
				errs = append(errs, fmt.Errorf("scripted: %s: placeholder {%s} names no slot", ft[0], m[1]))
			}
		}
	}
	return errors.Join(errs...)
}

// compile compiles a pattern slot's expression (case-insensitive).
func (s Slot) compile() (*regexp.Regexp, error) { return regexp.Compile("(?i)" + s.Pattern) }

// compiled returns c with the expressions of its pattern slots compiled;
// c must be valid. The slots are copied.
func (c Config) compiled() Config {
	c.Slots = slices.Clone(c.Slots)
	for i := range c.Slots {
		if c.Slots[i].Type == TypePattern {
			c.Slots[i].re, _ = c.Slots[i].compile() // Validate compiled it
		}
	}
	return c
}

// Load reads a script file strictly: unknown fields are errors.
func Load(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("scripted: %w", err)
	}
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("scripted: %s: %w", path, err)
	}
	if c.File != "" {
		return Config{}, fmt.Errorf("scripted: %s: a script file cannot name another file", path)
	}
	return c, nil
}

// fill replaces {slot} placeholders with values.
func fill(text string, values map[string]string) string {
	return placeholder.ReplaceAllStringFunc(text, func(m string) string {
		return values[strings.Trim(m, "{}")]
	})
}

type options struct {
	logger *slog.Logger
	now    func() time.Time
}

// Option configures the dialog.
type Option func(*options)

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithClock injects the clock (state expiry).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }
