package scripted

import (
	"context"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/internal/golden"
	"github.com/voicewatch/voicewatch/voice"
)

var update = flag.Bool("update", false, "rewrite the golden .err files")

func pizza(t *testing.T, opts ...Option) *Dialog {
	t.Helper()
	d, err := New(Config{File: "testdata/pizza.yml"}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

type step struct {
	say      string // "" with silence: a timed-out turn
	silence  bool
	want     string // substring of the reply
	wantHang bool
}

func TestConversation(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
		value map[string]string
	}{
		{name: "happy path", steps: []step{
			{say: "My name is Ada.", want: "Small, medium or large?"},
			{say: "A large one please", want: "How many pizzas?"},
			{say: "two", want: "Ada, 2 large pizzas. Is that right?"},
			{say: "yes", want: "Thank you Ada, your order is in. Goodbye.", wantHang: true},
		}},
		{name: "reprompt then fill", steps: []step{
			{say: "Ada", want: "Small, medium or large?"},
			{say: "the biggest", want: "Sorry, I did not get that. Small, medium or large?"},
			{say: "medium", want: "How many pizzas?"},
			{say: "42", want: "Sorry, I did not get that. How many pizzas?"},
			{say: "3", want: "Ada, 3 medium pizzas. Is that right?"},
			{say: "that's not right", want: "Let's start again. What is your name?"},
			{say: "Grace", want: "Small, medium or large?"},
		}},
		{name: "silence then give up", steps: []step{
			{silence: true, want: "Are you still there? What is your name?"},
			{silence: true, want: "Sorry, I could not understand. Goodbye.", wantHang: true},
		}},
		{name: "three bad answers give up", steps: []step{
			{say: "Ada", want: "Small"},
			{say: "huge", want: "Sorry, I did not get that."},
			{say: "gigantic", want: "Sorry, I did not get that."},
			{say: "enormous", want: "Sorry, I could not understand. Goodbye.", wantHang: true},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := pizza(t)
			ctx := context.Background()
			g, err := d.Greeting(ctx, "s1")
			if err != nil || g.Text != "Hello, this is the pizza line. What is your name?" {
				t.Fatalf("greeting %q, %v", g.Text, err)
			}
			for i, st := range tc.steps {
				r, err := d.Reply(ctx, voice.Turn{SessionID: "s1", Index: i + 1, TimedOut: st.silence,
					Transcript: voice.Transcript{Text: st.say, Final: true}})
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(r.Text, st.want) || r.Hangup != st.wantHang {
					t.Fatalf("turn %d %q: reply %q hangup=%v; want %q hangup=%v", i+1, st.say, r.Text, r.Hangup, st.want, st.wantHang)
				}
			}
			if last := tc.steps[len(tc.steps)-1]; last.wantHang && d.Sessions() != 0 {
				t.Error("the form of a finished call is kept")
			}
		})
	}
}

func TestSessionsAreIndependent(t *testing.T) {
	d := pizza(t)
	ctx := context.Background()
	for _, id := range []string{"a", "b"} {
		if _, err := d.Greeting(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	r1, _ := d.Reply(ctx, voice.Turn{SessionID: "a", Transcript: voice.Transcript{Text: "Ada"}})
	r2, _ := d.Reply(ctx, voice.Turn{SessionID: "b", Transcript: voice.Transcript{Text: "small"}})
	if !strings.Contains(r1.Text, "Small, medium") || !strings.Contains(r2.Text, "Small, medium") {
		t.Fatalf("replies %q / %q: each session must be at its own slot", r1.Text, r2.Text)
	}
}

func TestIdleFormsExpire(t *testing.T) {
	now := time.Unix(0, 0)
	d := pizza(t, WithClock(func() time.Time { return now }))
	ctx := context.Background()
	_, _ = d.Greeting(ctx, "gone")
	now = now.Add(2 * time.Hour)
	_, _ = d.Greeting(ctx, "new")
	if d.Sessions() != 1 {
		t.Fatalf("%d forms kept, want 1 (the abandoned one expires after state_ttl)", d.Sessions())
	}
}

func TestExtract(t *testing.T) {
	one, ten := 1, 10
	tests := []struct {
		name string
		slot Slot
		text string
		want string // "" = does not fit
	}{
		{"text lead-in", Slot{Type: TypeText}, "My name is Ada Lovelace.", "Ada Lovelace"},
		{"text empty", Slot{Type: TypeText}, " . ", ""},
		{"number digits", Slot{Type: TypeNumber}, "I want 3 of them", "3"},
		{"number word", Slot{Type: TypeNumber}, "four please", "4"},
		{"number above max", Slot{Type: TypeNumber, Min: &one, Max: &ten}, "eleven", ""},
		{"number none", Slot{Type: TypeNumber}, "a few", ""},
		{"yes", Slot{Type: TypeYesNo}, "Yeah, that's correct.", "yes"},
		{"no", Slot{Type: TypeYesNo}, "Nope.", "no"},
		{"not right", Slot{Type: TypeYesNo}, "That is not right", "no"},
		{"yes and no", Slot{Type: TypeYesNo}, "yes no", ""},
		{"choice", Slot{Type: TypeChoice, Choices: []string{"small", "large"}}, "LARGE please", "large"},
		{"choice missing", Slot{Type: TypeChoice, Choices: []string{"small", "large"}}, "medium", ""},
		{"pattern group", Slot{Type: TypePattern, Pattern: `order (\d{4})`}, "It's order 1234.", "1234"},
		{"pattern no match", Slot{Type: TypePattern, Pattern: `order (\d{4})`}, "no idea", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Slots: []Slot{tc.slot}}
			cfg.Slots[0].Name, cfg.Slots[0].Prompt = "x", "?"
			d, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := d.cfg.Slots[0].extract(tc.text)
			if (tc.want == "") == ok || got != tc.want {
				t.Errorf("extract(%q) = %q, %v; want %q", tc.text, got, ok, tc.want)
			}
		})
	}
}

// TestInvalidScripts pairs each testdata/invalid-*.yml with the exact error
// in its .err file (-update rewrites them).
func TestInvalidScripts(t *testing.T) {
	golden.InvalidFiles(t, "testdata/invalid-*.yml", *update, func(t *testing.T, f string) error {
		_, err := New(Config{File: f})
		return err
	})
}
