package coturntest

import (
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestStartAnswersBinding(t *testing.T) {
	s := Start(t, Options{})
	if err := Binding(s.Addr, time.Second); err != nil {
		t.Fatalf("binding to started coturn: %v", err)
	}
}

func TestStartRESTSecret(t *testing.T) {
	s := Start(t, Options{Secret: "shh"})
	if s.Users != nil || s.Secret != "shh" {
		t.Fatalf("REST server has users %v", s.Users)
	}
	if err := Binding(s.Addr, time.Second); err != nil {
		t.Fatalf("binding: %v", err)
	}
}
