package servetest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// httpServe serves 204s on ln until ctx is cancelled, then returns err.
func httpServe(err error) func(context.Context, net.Listener) error {
	return func(ctx context.Context, ln net.Listener) error {
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })}
		go func() { // owner: httpServe; ends when ctx is cancelled
			<-ctx.Done()
			_ = srv.Close()
		}()
		if e := srv.Serve(ln); !errors.Is(e, http.ErrServerClosed) {
			return e
		}
		return err
	}
}

func TestServes(t *testing.T) {
	s := Start(t, httpServe(nil))
	resp, err := http.Get(s.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("status %d", resp.StatusCode)
	}
	if err := s.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
	select {
	case <-s.Exited():
	default:
		t.Error("Exited is open after Stop")
	}
	if _, err := http.Get(s.URL() + "/"); err == nil {
		t.Error("still serving after Stop")
	}
}

func TestStopReturnsTheErrorOnce(t *testing.T) {
	boom := errors.New("boom")
	s := Start(t, httpServe(boom))
	if err := s.Stop(); !errors.Is(err, boom) {
		t.Errorf("first Stop = %v, want %v", err, boom)
	}
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop = %v, want nil", err)
	}
}

func TestExitedOnItsOwn(t *testing.T) {
	boom := errors.New("boom")
	s := Start(t, func(_ context.Context, ln net.Listener) error { _ = ln.Close(); return boom })
	<-s.Exited()
	if err := s.Stop(); !errors.Is(err, boom) {
		t.Errorf("Stop = %v, want %v", err, boom)
	}
}

// recorder is a testing.TB that records Errorf.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, format)
}

func TestCheck(t *testing.T) {
	s := Start(t, httpServe(errors.New("boom")))
	r := &recorder{TB: t}
	s.Check(r, "server")
	s.Check(r, "server")
	if len(r.errors) != 1 {
		t.Errorf("%d errors reported, want 1: %v", len(r.errors), r.errors)
	}
}
