package e2e

import (
	"context"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/voicewatch/voicewatch/alerts"
)

// pager is the webhook receiver of the stack: the real alerts.Receiver,
// served in-process, recording every notification Alertmanager sends.
type pager struct {
	url string

	mu      sync.Mutex
	got     []alerts.ReceivedNotification
	changed chan struct{}
}

func startPager(t *testing.T) *pager {
	t.Helper()
	p := &pager{changed: make(chan struct{})}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.url = "http://" + ln.Addr().String()
	rcv := alerts.NewReceiver(io.Discard, alerts.ReceiverConfig{}, alerts.WithNotifyFunc(p.add))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rcv.Serve(ctx, ln) }() // owner: the test; exits on cancel
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("receiver: %v", err)
		}
	})
	return p
}

func (p *pager) add(n alerts.ReceivedNotification) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.got = append(p.got, n)
	close(p.changed)
	p.changed = make(chan struct{})
}

// firingSince returns the notifications received after since that carry a
// firing alert.
func (p *pager) firingSince(since time.Time) []alerts.ReceivedNotification {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []alerts.ReceivedNotification
	for _, n := range p.got {
		if n.Time.After(since) && len(n.Firing) > 0 {
			out = append(out, n)
		}
	}
	return out
}

// waitFiring waits until receiver has been notified of alertname firing
// after since, and returns when.
func (p *pager) waitFiring(ctx context.Context, since time.Time, receiver, alertname string) (time.Time, error) {
	for {
		p.mu.Lock()
		ch := p.changed
		for _, n := range p.got {
			if n.Time.After(since) && n.Receiver == receiver && slices.Contains(n.Firing, alertname) {
				p.mu.Unlock()
				return n.Time, nil
			}
		}
		p.mu.Unlock()
		select {
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		case <-ch:
		}
	}
}
