package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/internal/coturntest"
	"github.com/voicewatch/voicewatch/internal/netns"
	vwsecret "github.com/voicewatch/voicewatch/internal/secret"
	"github.com/voicewatch/voicewatch/voice"
	"github.com/voicewatch/voicewatch/voice/mediacoretest"
)

// startMediaCore runs the real media core on loopback with bearer auth.
func startMediaCore(t *testing.T, token string) string {
	t.Helper()
	return startMediaCoreWith(t, token, nil)
}

// startMediaCoreWith is startMediaCore with the config changed by edit
// (no greeting unless edit turns it on) and the server built with opts.
func startMediaCoreWith(t *testing.T, token string, edit func(*voice.Config), opts ...voice.Option) string {
	t.Helper()
	cfg := mediacoretest.LoopbackConfig(t)
	cfg.Auth.InsecureNoAuth = false
	cfg.Auth.Tokens = []vwsecret.Secret{vwsecret.Secret(token)}
	if edit != nil {
		edit(&cfg)
	}
	_, base := mediacoretest.Start(t, cfg, opts...)
	return base + "/whip"
}

type mcResult struct {
	Name    string             `json:"name"`
	Success bool               `json:"success"`
	Phases  map[string]float64 `json:"phases"`
	Details map[string]string  `json:"details"`
	Failure *struct {
		Phase, Reason, Message string
	} `json:"failure"`
}

func decodeResults(t *testing.T, out string) []mcResult {
	t.Helper()
	var rs []mcResult
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatalf("json output: %v\n%s", err, out)
	}
	return rs
}

// TestWebRTCProbeAgainstMediaCore: the CI story against the real media core:
// a call with host candidates passes, relay-only through a real coturn
// passes and reports relay, an assertion failure exits 1 naming its phase,
// and a wrong token is bad_credentials.
func TestWebRTCProbeAgainstMediaCore(t *testing.T) {
	const token = "probe-test-token"
	whip := startMediaCore(t, token)

	t.Run("host candidates", func(t *testing.T) {
		out, errOut, code := runProbe(t, "webrtc", whip, "--token", token, "--loopback", "--format", "json")
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
		r := decodeResults(t, out)[0]
		if !r.Success || r.Details["local_candidate_type"] != "host" || r.Details["remote_candidate_type"] != "host" {
			t.Fatalf("result %+v", r)
		}
		for _, ph := range []string{"signaling", "ice_gathering", "ice_connected", "dtls", "connected", "first_audio"} {
			if _, ok := r.Phases[ph]; !ok {
				t.Errorf("phase %s missing: %v", ph, r.Phases)
			}
		}
		if strings.Contains(out+errOut, token) {
			t.Error("token in output")
		}
	})

	t.Run("relay only through coturn", func(t *testing.T) {
		if _, err := exec.LookPath(coturntest.Binary); err != nil {
			netns.Missing(t, "coturn")
		}
		ct := coturntest.Start(t, coturntest.Options{Secret: "probe-rest-secret", AllowLoopbackPeers: true})
		out, errOut, code := runProbe(t, "webrtc", whip, "--token", token, "--loopback", "--relay-only",
			"--ice-server", ct.TURNURI("udp"), "--ice-username", "ci", "--ice-secret", ct.Secret, "--format", "json")
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s\ncoturn:\n%s", code, out, errOut, ct.Log())
		}
		if r := decodeResults(t, out)[0]; r.Details["local_candidate_type"] != "relay" {
			t.Fatalf("local candidate %q, want relay: %+v", r.Details["local_candidate_type"], r)
		}
		if strings.Contains(out+errOut, ct.Secret) {
			t.Error("TURN secret in output")
		}
	})

	t.Run("assertion failure names its phase", func(t *testing.T) {
		out, errOut, code := runProbe(t, "webrtc", whip, "--token", token, "--loopback",
			"--assert", "max_ice_gathering=1ns", "--format", "json")
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
		}
		r := decodeResults(t, out)[0]
		if r.Failure == nil || r.Failure.Reason != "assertion" || r.Failure.Phase != "ice_gathering" {
			t.Fatalf("failure %+v", r.Failure)
		}
	})

	t.Run("wrong token", func(t *testing.T) {
		out, errOut, code := runProbe(t, "webrtc", whip, "--token", "nope", "--loopback", "--format", "json")
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
		}
		if r := decodeResults(t, out)[0]; r.Failure == nil || r.Failure.Reason != "bad_credentials" || r.Failure.Phase != "signaling" {
			t.Fatalf("failure %+v", r.Failure)
		}
	})
}

// TestWebRTCProbeResponseLatency: with the greeting on or off, the probe
// measures the bot's reply to its tone, never the greeting: the response
// latency is not negative and is the echo bot's end-of-speech wait (the
// VAD's hangover, counted in 20 ms packets) plus the path, within
// [end_of_speech − 60 ms, end_of_speech + 1 s]. The probe also reports the
// call's loss, jitter and RTT.
func TestWebRTCProbeResponseLatency(t *testing.T) {
	const token = "probe-test-token"
	const eos = 400 * time.Millisecond
	for _, tc := range []struct {
		greet    bool
		strategy string
		want     func(detail string) bool
	}{
		{false, "wait", func(d string) bool { return d == "none" }},
		{true, "wait", func(d string) bool { return d != "none" && d != "" }},
		{true, "interrupt", func(d string) bool { return d == "interrupted" }},
	} {
		greet := tc.greet
		t.Run(fmt.Sprintf("greeting=%v/%s", greet, tc.strategy), func(t *testing.T) {
			whip := startMediaCoreWith(t, token, func(c *voice.Config) {
				c.Audio.Greeting = &greet
				c.Audio.EndOfSpeech = eos
			})
			out, errOut, code := runProbe(t, "webrtc", whip, "--token", token, "--loopback", "--timeout", "20s", "--greeting", tc.strategy, "--require-reply",
				"--assert", "max_response_latency=5s", "--format", "json")
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			r := decodeResults(t, out)[0]
			lat, ok := r.Phases["response_latency"]
			if !ok {
				t.Fatalf("no response_latency phase: %v", r.Phases)
			}
			t.Logf("response_latency %.3f s, details %v", lat, r.Details)
			if lat < eos.Seconds()-0.06 || lat > eos.Seconds()+1 {
				t.Errorf("response_latency %.3f s, want ≈ end_of_speech %s (greeting %v, details %v)", lat, eos, greet, r.Details)
			}
			if g := r.Details["greeting"]; !tc.want(g) {
				t.Errorf("greeting detail %q with greeting %v, strategy %s", g, greet, tc.strategy)
			}
			for _, k := range []string{"rtt", "jitter", "packet_loss"} {
				if r.Details[k] == "" {
					t.Errorf("detail %s missing: %v", k, r.Details)
				}
			}
			if r.Details["packet_loss"] != "0.0%" {
				t.Errorf("packet_loss %q on loopback", r.Details["packet_loss"])
			}
		})
	}
	t.Run("max_response_latency fails a slow bot", func(t *testing.T) {
		whip := startMediaCoreWith(t, token, nil)
		out, errOut, code := runProbe(t, "webrtc", whip, "--token", token, "--loopback", "--assert", "max_response_latency=100ms", "--format", "json")
		if code != 1 {
			t.Fatalf("exit %d, want 1 (the default 600 ms end-of-speech wait is over 100 ms)\n%s\n%s", code, out, errOut)
		}
		if r := decodeResults(t, out)[0]; r.Failure == nil || r.Failure.Reason != "assertion" || r.Failure.Phase != "response_latency" {
			t.Fatalf("failure %+v", r.Failure)
		}
	})
}

// deafSTT never recognises anything: a bot whose recognizer wants words,
// probed with a tone.
type deafSTT struct{}

func (deafSTT) Name() string { return "deaf" }
func (deafSTT) Start(context.Context, voice.AudioFormat) (voice.STTStream, error) {
	return &deafStream{results: make(chan voice.Transcript)}, nil
}

type deafStream struct {
	results chan voice.Transcript
	once    sync.Once
}

func (*deafStream) Write(voice.Chunk) error            { return nil }
func (*deafStream) EndOfSpeech() error                 { return nil }
func (s *deafStream) Results() <-chan voice.Transcript { return s.results }
func (s *deafStream) Close() error                     { s.once.Do(func() { close(s.results) }); return nil }

// TestWebRTCProbeBotThatDoesNotAnswerATone: a bot that greets but does not
// answer the tone passes (its greeting proves the media path) with
// response_latency "no reply to the tone" and no response_latency phase;
// with --require-reply it fails in that phase with no_audio.
func TestWebRTCProbeBotThatDoesNotAnswerATone(t *testing.T) {
	const token = "probe-test-token"
	whip := startMediaCoreWith(t, token, func(c *voice.Config) {
		on := true
		c.Audio.Greeting = &on
	}, voice.WithProviders(voice.Providers{STT: deafSTT{}}))
	out, errOut, code := runProbe(t, "webrtc", whip, "--token", token, "--loopback", "--greeting", "interrupt", "--reply-timeout", "1500ms", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	r := decodeResults(t, out)[0]
	if r.Details["response_latency"] != "no reply to the tone" {
		t.Errorf("response_latency detail %q", r.Details["response_latency"])
	}
	if _, ok := r.Phases["response_latency"]; ok {
		t.Errorf("a response_latency phase without a reply: %v", r.Phases)
	}
	if _, ok := r.Phases["first_audio"]; !ok {
		t.Errorf("no first_audio phase though the bot greeted: %v", r.Phases)
	}
	out, errOut, code = runProbe(t, "webrtc", whip, "--token", token, "--loopback", "--greeting", "interrupt", "--reply-timeout", "1500ms", "--require-reply", "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d with --require-reply, want 1\n%s\n%s", code, out, errOut)
	}
	if r := decodeResults(t, out)[0]; r.Failure == nil || r.Failure.Reason != "no_audio" || r.Failure.Phase != "response_latency" {
		t.Fatalf("failure %+v, want no_audio in response_latency", r.Failure)
	}
}

// TestWebRTCProbeLongGreeting: a greeting longer than the probe's budget
// does not fail a working call: the probe stops waiting in time, talks
// over it, passes, and says it could not measure the reply.
func TestWebRTCProbeLongGreeting(t *testing.T) {
	const token = "probe-test-token"
	whip := startMediaCoreWith(t, token, func(c *voice.Config) {
		on := true
		c.Audio.Greeting = &on // 5.3 s
	})
	out, errOut, code := runProbe(t, "webrtc", whip, "--token", token, "--loopback", "--timeout", "4s", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	r := decodeResults(t, out)[0]
	if !strings.HasPrefix(r.Details["greeting"], "still playing after") || !strings.HasPrefix(r.Details["response_latency"], "not measured") {
		t.Errorf("details %v, want the greeting still playing and the reply not measured", r.Details)
	}
	if _, ok := r.Phases["response_latency"]; ok {
		t.Errorf("a response_latency phase that could be the greeting: %v", r.Phases)
	}
}
