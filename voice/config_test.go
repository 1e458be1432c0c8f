package voice

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestInvalidConfigs(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid-*.yml")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, _ := os.ReadFile(f)
			want, err := os.ReadFile(strings.TrimSuffix(f, ".yml") + ".err")
			if err != nil {
				t.Fatal(err)
			}
			_, err = ParseConfig(b)
			if err == nil {
				t.Fatal("config accepted")
			}
			if got := err.Error(); got != strings.TrimSpace(string(want)) {
				t.Errorf("error:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestExampleConfig(t *testing.T) {
	t.Setenv("VOICEWATCH_TOKEN", "tok-0123456789abcdef")
	t.Setenv("TURN_SHARED_SECRET", "shh")
	t.Setenv("PUBLIC_IP", "203.0.113.10")
	c, err := LoadConfig("../docs/examples/voice.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.ICE.Servers[1].Secret.Reveal() != "shh" || c.Auth.Tokens[0].Reveal() != "tok-0123456789abcdef" {
		t.Error("secrets not expanded from the environment")
	}
	if c.ICE.RelayAcceptanceMinWait == nil || *c.ICE.RelayAcceptanceMinWait != 500*time.Millisecond {
		t.Error("relay_acceptance_min_wait not read")
	}
	if c.HTTP.RatePerSecond != 20 || c.ICE.GatheringTimeout != 10*time.Second {
		t.Errorf("values: %+v", c)
	}
}

func TestConfigMissingEnv(t *testing.T) {
	_, err := ParseConfig([]byte("# ${COMMENTS_ARE_NOT_EXPANDED}\nauth: {tokens: [\"${VOICEWATCH_NOPE_UNSET}\"]}\n"))
	if err == nil || !strings.Contains(err.Error(), "VOICEWATCH_NOPE_UNSET") || strings.Contains(err.Error(), "COMMENTS") {
		t.Fatalf("err = %v, want it to name the unset variable", err)
	}
}

func TestDefaults(t *testing.T) {
	c := Config{}.WithDefaults()
	if c.ICE.GatheringTimeout != 10*time.Second || c.Audio.SilenceTimeout != 15*time.Second || c.ICE.MaxRestarts != 3 {
		t.Errorf("defaults: %+v", c)
	}
}

// TestConfigErrorsRedactSecrets: no error from loading or validating the
// configuration shows a token, a TURN secret or an expanded value.
func TestConfigErrorsRedactSecrets(t *testing.T) {
	const tok, turnSecret, env = "tok-0123456789-abcdef", "turn-shared-s3cret", "env-expanded-s3cret"
	t.Setenv("VW_TEST_TOKEN", tok)
	t.Setenv("VW_TEST_SECRET", turnSecret)
	t.Setenv("VW_TEST_LISTEN", env)
	for name, y := range map[string]string{
		"bad listen from env":    "listen: ${VW_TEST_LISTEN}\nauth: {tokens: [\"${VW_TEST_TOKEN}\"]}\n",
		"bad ICE url from env":   "auth: {tokens: [\"${VW_TEST_TOKEN}\"]}\nice: {servers: [{urls: [\"${VW_TEST_LISTEN}\"]}]}\n",
		"literal short token":    "auth: {tokens: [\"shortlit\"]}\nlisten: shortlit\n",
		"turn secret in the url": "auth: {tokens: [\"${VW_TEST_TOKEN}\"]}\nice: {servers: [{urls: [\"turn:x?transport=turn-shared-s3cret\"], secret: \"${VW_TEST_SECRET}\"}]}\n",
		"decode error":           "auth: {tokens: [\"${VW_TEST_TOKEN}\"]}\nmax_sessions: ${VW_TEST_LISTEN}\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseConfig([]byte(y))
			if err == nil {
				t.Fatal("config accepted")
			}
			for _, s := range []string{tok, turnSecret, env, "shortlit"} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error shows %q: %v", s, err)
				}
			}
		})
	}
}

// TestWithDefaultsIsPure: WithDefaults fills a copy (the caller's slices
// are not written), applying it twice changes nothing, and the loader's
// result is WithDefaults of what it decoded, so Go callers (New) and YAML
// files get the same defaults.
func TestWithDefaultsIsPure(t *testing.T) {
	in := Config{ICE: ICEConfig{Servers: []ICEServer{{URLs: []string{"stun:x:3478"}}}, NAT1To1IPs: []string{"203.0.113.1, 203.0.113.2", ""}}}
	out := in.WithDefaults()
	if in.ICE.Servers[0].TTL != 0 || len(in.ICE.NAT1To1IPs) != 2 || in.Audio.Greeting != nil || in.Listen != "" {
		t.Errorf("WithDefaults changed its input: %+v", in)
	}
	if out.ICE.Servers[0].TTL != DefaultTURNCredentialTTL || !slices.Equal(out.ICE.NAT1To1IPs, []string{"203.0.113.1", "203.0.113.2"}) ||
		out.Audio.Greeting == nil || !*out.Audio.Greeting || out.Cluster.ForwardWait != 2*time.Second {
		t.Errorf("WithDefaults = %+v", out)
	}
	if again := out.WithDefaults(); !reflect.DeepEqual(again, out) {
		t.Errorf("WithDefaults twice differs:\n%+v\n%+v", again, out)
	}
	loaded, err := ParseConfig([]byte("auth: {insecure_no_auth: true}\nice: {nat_1to1_ips: [\"203.0.113.1, 203.0.113.2\", \"\"]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Auth: AuthConfig{InsecureNoAuth: true}, ICE: ICEConfig{NAT1To1IPs: in.ICE.NAT1To1IPs}}.WithDefaults()
	if !reflect.DeepEqual(loaded, want) {
		t.Errorf("ParseConfig =\n%+v\nwant WithDefaults of the same fields:\n%+v", loaded, want)
	}
}
