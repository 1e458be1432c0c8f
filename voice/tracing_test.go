package voice

import (
	"strings"
	"testing"
	"time"
)

var loopbackStart = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

func TestOTLPTracesEndpointValidation(t *testing.T) {
	for _, tc := range []struct {
		endpoint, wantErr string
	}{
		{"", ""},
		{"http://collector:4318/v1/traces", ""},
		{"https://otlp.example.com/v1/traces", ""},
		{"collector:4318", "want an http(s) URL"},
		{"grpc://collector:4317", "want an http(s) URL"},
	} {
		t.Run(tc.endpoint, func(t *testing.T) {
			cfg := loopbackConfig(t)
			cfg.OTLP.TracesEndpoint = tc.endpoint
			err := cfg.WithDefaults().Validate()
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Validate() = %v, want error containing %q", err, tc.wantErr)
			}
		})
	}
}

// Tracing off costs nothing: no provider, no per-session trace.
func TestTracingOffByDefault(t *testing.T) {
	tr, err := newTracing(OTLPConfig{})
	if err != nil || tr != nil {
		t.Fatalf("newTracing(off) = %v, %v; want nil, nil", tr, err)
	}
	if st := tr.startTrace("id", loopbackStart, CodecOpus); st != nil {
		t.Fatal("a session trace with tracing off")
	}
}
