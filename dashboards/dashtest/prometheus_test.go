package dashtest_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/dashboards/dashtest"
)

// TestPrometheus starts the real Prometheus against a tiny target, waits for
// its scrapes and checks that queries answer data and that a malformed
// query is reported as an error (so EvalAll cannot pass on a bad query).
func TestPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Prometheus")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = w.Write([]byte("# TYPE demo_total counter\ndemo_total{kind=\"a\"} 1\n"))
	}))
	t.Cleanup(srv.Close)
	p := dashtest.StartPrometheus(t, dashtest.Target{Job: "demo", Addr: srv.Listener.Addr().String(), Labels: map[string]string{"environment": "test"}})
	p.WaitScraped(t, 2)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tests := []struct {
		name, expr string
		wantN      int
		wantErr    bool
	}{
		{"scraped with target labels", `demo_total{job="demo", environment="test", kind="a"}`, 1, false},
		{"unknown metric is empty, not an error", `nope_total`, 0, false},
		{"syntax error", `sum(rate(demo_total[1m])`, 0, true},
		{"bad function", `rate(demo_total)`, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.Query(ctx, tt.expr)
			var qe *dashtest.QueryError
			if tt.wantErr {
				if !errors.As(err, &qe) {
					t.Fatalf("Query(%q) error = %v, want a *QueryError", tt.expr, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Query(%q): %v", tt.expr, err)
			}
			if len(got) != tt.wantN {
				t.Errorf("Query(%q) = %d samples, want %d", tt.expr, len(got), tt.wantN)
			}
		})
	}
}
