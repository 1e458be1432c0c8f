package voice

import (
	"os"
	"path/filepath"
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
	t.Setenv("VOICEWATCH_TOKEN", "tok-123")
	t.Setenv("TURN_SHARED_SECRET", "shh")
	t.Setenv("PUBLIC_IP", "203.0.113.10")
	c, err := LoadConfig("../docs/examples/voice.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.ICE.Servers[1].Secret.Reveal() != "shh" || c.Auth.Tokens[0].Reveal() != "tok-123" {
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
	c := Default()
	if c.ICE.GatheringTimeout != 10*time.Second || c.Audio.SilenceTimeout != 15*time.Second || c.ICE.MaxRestarts != 3 {
		t.Errorf("defaults: %+v", c)
	}
}
