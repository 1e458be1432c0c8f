package providers

import (
	"context"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/voicewatch/voicewatch/internal/golden"
	"github.com/voicewatch/voicewatch/voice"
)

var update = flag.Bool("update", false, "rewrite golden files")

// hermeticAWS points the AWS SDK default chain at test values only.
func hermeticAWS(t testing.TB, id, key string) {
	t.Helper()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": id, "AWS_SECRET_ACCESS_KEY": key, "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
		"AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
}

func buildFile(t *testing.T, path string) (voice.Providers, error) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := voice.DecodeConfig(b)
	if err != nil {
		return voice.Providers{}, err
	}
	cfg.Store.Dir = t.TempDir()
	p, _, err := Build(context.Background(), cfg, nil)
	return p, err
}

// TestInvalidConfigs pairs each testdata/invalid-*.yml with the exact error
// in its .err file (-update rewrites them).
func TestInvalidConfigs(t *testing.T) {
	t.Setenv("ELEVENLABS_API_KEY", "sk-from-env")
	hermeticAWS(t, "AKIDTEST", "test-secret")
	golden.InvalidFiles(t, "testdata/invalid-*.yml", *update, func(t *testing.T, f string) error {
		_, err := buildFile(t, f)
		if err != nil && (strings.Contains(err.Error(), "sk-do-not-put-keys-here") || strings.Contains(err.Error(), "sk-from-env")) {
			t.Errorf("error leaks a key: %v", err)
		}
		return err
	})
}

func TestBuildSelects(t *testing.T) {
	t.Setenv("ELEVENLABS_API_KEY", "sk-from-env")
	hermeticAWS(t, "AKIDTEST", "test-secret")
	tests := []struct {
		name             string
		file             string
		stt, tts, dialog string
	}{
		{"empty section is embedded", "", "embedded", "embedded", "echo"},
		{"all real", "testdata/valid-all.yml", "transcribe", "elevenlabs", "scripted"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p voice.Providers
			var err error
			if tc.file == "" {
				var cfg voice.Config
				cfg.Store.Dir = t.TempDir()
				p, _, err = Build(context.Background(), cfg, nil)
			} else {
				p, err = buildFile(t, tc.file)
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.STT.Name() != tc.stt || p.TTS.Name() != tc.tts || p.Dialog.Name() != tc.dialog {
				t.Errorf("built %s/%s/%s, want %s/%s/%s", p.STT.Name(), p.TTS.Name(), p.Dialog.Name(), tc.stt, tc.tts, tc.dialog)
			}
		})
	}
}
