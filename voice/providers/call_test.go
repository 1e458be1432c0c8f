package providers

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"

	"github.com/voicewatch/voicewatch/internal/elevenlabstest"
	"github.com/voicewatch/voicewatch/internal/transcribetest"
	"github.com/voicewatch/voicewatch/voice"
	"github.com/voicewatch/voicewatch/voice/mediacoretest"
	"github.com/voicewatch/voicewatch/voice/voicemetrics"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testElevenLabsKey = "sk-elevenlabs-test-key"

// rig is a media core built by Build from voice.yaml text, with the
// Transcribe and ElevenLabs test servers behind it.
type rig struct {
	srv  *voice.Server
	base string
	logs *voicetest.LogBuffer
	reg  *prometheus.Registry
	tr   *transcribetest.Server
	el   *elevenlabstest.Server
}

// coreYAML is the media core on loopback; %s are the store dir and the
// providers section.
const coreYAML = `
listen: 127.0.0.1:0
auth: {insecure_no_auth: true}
ice: {include_loopback: true, interfaces: [lo]}
audio: {greeting: true, end_of_speech: 300ms}
store: {dir: %q}
%s
`

// realProviders selects Transcribe + ElevenLabs on the test servers; %s
// are the two endpoints and the dialog block.
const realProviders = `
providers:
  stt:
    type: transcribe
    transcribe: {endpoint: %q, region: us-east-1}
  tts:
    type: elevenlabs
    elevenlabs:
      voice_id: voice-1
      base_url: %q
      api_key_env: VOICEWATCH_TEST_ELEVENLABS_KEY
      voice_settings: {stability: 0.5, similarity_boost: 0.8}
      first_byte_timeout: 2s
  dialog:
%s
`

// startRig starts the media core with Transcribe and ElevenLabs (test
// servers) and the dialog block given; an empty dialog block means the
// embedded providers throughout (the baseline).
func startRig(tb testing.TB, el elevenlabstest.Config, dialog string) *rig {
	tb.Helper()
	hermeticAWS(tb, transcribetest.AccessKeyID, transcribetest.SecretAccessKey)
	tb.Setenv("VOICEWATCH_TEST_ELEVENLABS_KEY", testElevenLabsKey)
	el.APIKey = testElevenLabsKey
	r := &rig{logs: &voicetest.LogBuffer{}, reg: prometheus.NewRegistry(), tr: transcribetest.New(tb), el: elevenlabstest.New(el)}
	tb.Cleanup(r.el.Close)
	section := ""
	if dialog != "" {
		section = fmt.Sprintf(realProviders, r.tr.URL, r.el.URL(), dialog)
	}
	cfg, err := voice.ParseConfig(fmt.Appendf(nil, coreYAML, tb.TempDir(), section))
	if err != nil {
		tb.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p, st, err := Build(context.Background(), cfg, log)
	if err != nil {
		tb.Fatal(err)
	}
	r.srv, r.base = mediacoretest.Start(tb, cfg, voice.WithLogger(log), voice.WithRegistry(r.reg), voice.WithProviders(p), voice.WithStore(st))
	return r
}

func (r *rig) replies() int { return len(r.logs.Find(voice.EventReply, nil)) }

// TestFullCall: greeting → user audio → Transcribe → scripted dialog →
// ElevenLabs → speech back, three turns, with an ElevenLabs outage in the
// middle one. Metrics, events and latencies are checked against what the
// test servers did and the first-byte delay they injected.
func TestFullCall(t *testing.T) {
	const ttsDelay = 250 * time.Millisecond
	r := startRig(t, elevenlabstest.Config{FirstByteDelay: ttsDelay},
		"    type: scripted\n    scripted: {file: "+mustAbs(t, "testdata/form.yml")+"}")
	r.tr.Say("My name is Ada.", "Large, please.", "Two.")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	c := voicetest.NewCaller(t, r.base, voicetest.CallerOptions{})
	if _, err := c.Call(ctx); err != nil {
		t.Fatal(err)
	}
	voicetest.WaitFor(t, "connected", c.Connected(), 10*time.Second)
	voicetest.Eventually(t, 10*time.Second, "greeting played", func() bool { return r.replies() == 1 })

	turn := func(n int, outage bool) time.Duration {
		t.Helper()
		before := c.Received()
		lastLoud, err := c.Speak(ctx, 600*time.Millisecond, 700*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		voicetest.Eventually(t, 10*time.Second, fmt.Sprintf("reply %d played", n), func() bool { return r.replies() >= n+1 })
		if c.Received() <= before {
			t.Fatalf("turn %d (outage %v): the caller heard nothing", n, outage)
		}
		first, ok := c.FirstArrivalAfter(lastLoud)
		if !ok {
			t.Fatalf("turn %d: no packet after the end of speech", n)
		}
		return first.Sub(lastLoud)
	}
	lat1 := turn(1, false)
	r.el.SetFailure(elevenlabstest.FailQuota) // ElevenLabs: out of credits
	turn(2, true)
	r.el.SetFailure(elevenlabstest.FailNone)
	lat3 := turn(3, false) // "Two." completes the form: goodbye, then hangup
	voicetest.Eventually(t, 10*time.Second, "the dialog ends the call", func() bool { return r.srv.ActiveSessions() == 0 })

	t.Logf("voice-to-voice at the caller: turn 1 %v, turn 3 %v (TTS first-byte delay %v)", lat1, lat3, ttsDelay)
	for i, lat := range []time.Duration{lat1, lat3} {
		if lat < ttsDelay {
			t.Errorf("turn %d: voice-to-voice %v at the caller, below the injected TTS first-byte delay %v", 2*i+1, lat, ttsDelay)
		}
	}
	checks := []struct {
		name   string
		labels []string
		want   float64
	}{
		{voicemetrics.MetricSessionsEnded, []string{voicemetrics.LabelOutcome, voicemetrics.OutcomeCompleted}, 1},
		{voicemetrics.MetricSTTRequests, []string{voicemetrics.LabelProvider, "transcribe"}, 1},
		{voicemetrics.MetricSTTErrors, []string{voicemetrics.LabelProvider, "transcribe"}, 0},
		{voicemetrics.MetricTTSRequests, []string{voicemetrics.LabelProvider, "elevenlabs"}, 4},
		{voicemetrics.MetricTTSErrors, []string{voicemetrics.LabelProvider, "elevenlabs"}, 1},
		{voicemetrics.MetricTTSErrors, []string{voicemetrics.LabelProvider, "elevenlabs", voicemetrics.LabelReason, voicemetrics.ReasonQuota}, 1},
		{voicemetrics.MetricTTSFirstByte, []string{voicemetrics.LabelProvider, "elevenlabs"}, 3},
		{voicemetrics.MetricResponseLatency, nil, 3},
		{voicemetrics.MetricStoreWrites, []string{voicemetrics.LabelResult, voicemetrics.StoreOK}, 3},
	}
	for _, ch := range checks {
		if got := voicetest.Metric(t, r.reg, ch.name, ch.labels...); got != ch.want {
			t.Errorf("%s%v = %v, want %v", ch.name, ch.labels, got, ch.want)
		}
	}
	// Every ElevenLabs first byte waited for the injected delay; the two
	// turns it spoke carry it in their voice-to-voice latency.
	for _, m := range voicetest.Series(t, r.reg, voicemetrics.MetricTTSFirstByte, voicemetrics.LabelProvider, "elevenlabs") {
		h := m.GetHistogram()
		if h.GetSampleSum() < float64(h.GetSampleCount())*ttsDelay.Seconds() {
			t.Errorf("tts first byte: sum %v over %d, below the injected %v each", h.GetSampleSum(), h.GetSampleCount(), ttsDelay)
		}
		for _, b := range h.GetBucket() {
			if b.GetUpperBound() < ttsDelay.Seconds() && b.GetCumulativeCount() != 0 {
				t.Errorf("tts first byte: %d observations ≤ %vs, below the injected delay", b.GetCumulativeCount(), b.GetUpperBound())
			}
		}
	}
	for _, m := range voicetest.Series(t, r.reg, voicemetrics.MetricResponseLatency) {
		if h := m.GetHistogram(); h.GetSampleSum() < 2*ttsDelay.Seconds() {
			t.Errorf("response latency sum %v, below twice the injected TTS delay", h.GetSampleSum())
		}
	}
	for _, ev := range []struct {
		name  string
		match map[string]any
		want  int
	}{
		{voice.EventTranscript, map[string]any{"text": "My name is Ada."}, 1},
		{voice.EventTranscript, map[string]any{"text": "Large, please."}, 1},
		{voice.EventTranscript, map[string]any{"text": "Two."}, 1},
		{voice.EventTTSError, map[string]any{"provider": "elevenlabs", "reason": voicemetrics.ReasonQuota}, 1},
		{voice.EventReply, map[string]any{"text": "Thank you Ada, 2 large. Goodbye."}, 1},
		{voice.EventSessionEnded, map[string]any{"outcome": voicemetrics.OutcomeCompleted, "reason": "dialog_hangup"}, 1},
	} {
		if got := len(r.logs.Find(ev.name, ev.match)); got != ev.want {
			t.Errorf("log event %s %v: %d lines, want %d", ev.name, ev.match, got, ev.want)
		}
	}
	// The incident's rule, over the whole call: voice_settings only ever in
	// a connection's first message, and the service never closed with 1008
	// for it.
	for _, m := range r.el.Messages() {
		if m.Index > 1 && m.Has("voice_settings") {
			t.Errorf("ElevenLabs connection %d message %d carries voice_settings", m.Conn, m.Index)
		}
	}
	for _, cl := range r.el.Closes() {
		if cl.Reason == elevenlabstest.ReasonVoiceSettings {
			t.Errorf("ElevenLabs closed a stream for voice_settings: %+v", cl)
		}
	}
	for i, req := range r.tr.Requests() {
		if len(req.Violations) > 0 || req.MediaEncoding != "pcm" {
			t.Errorf("transcribe request %d: encoding %s, violations %v", i, req.MediaEncoding, req.Violations)
		}
	}
	logs := r.logs.String()
	for _, secret := range []string{testElevenLabsKey, transcribetest.SecretAccessKey} {
		if strings.Contains(logs, secret) {
			t.Errorf("a credential appears in the logs")
		}
	}
}

func mustAbs(t testing.TB, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
