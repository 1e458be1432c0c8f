// Package netutil holds the network helpers shared by the probe kinds: the
// default transport.Net and a context-aware TCP dial over any
// transport.Net.
package netutil

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"
)

// OrStd returns n, or the real network when n is nil. The real network
// is made once per process and shared: making one lists the host's
// interfaces (about 0.15 ms), which a prober bound per GET /probe would
// otherwise pay on every request. Its interface list is a snapshot; the
// STUN and TURN probers only resolve and dial, which do not read it.
func OrStd(n transport.Net) (transport.Net, error) {
	if n != nil {
		return n, nil
	}
	real.mu.Lock()
	defer real.mu.Unlock()
	if real.net == nil {
		s, err := stdnet.NewNet()
		if err != nil {
			return nil, fmt.Errorf("real network: %w", err)
		}
		real.net = s
	}
	return real.net, nil
}

// real is the shared real network; an error making it is not kept, so a
// later call tries again.
var real struct {
	mu  sync.Mutex
	net *stdnet.Net
}

// DialTCP dials a TCP connection honouring ctx's deadline and
// cancellation.
func DialTCP(ctx context.Context, n transport.Net, addr string) (net.Conn, error) {
	d := &net.Dialer{}
	if dl, ok := ctx.Deadline(); ok {
		d.Deadline = dl
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, err := n.CreateDialer(d).Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// CloseOnDone closes c when ctx is done, unblocking reads and writes; call
// the returned stop once the I/O is over. It reports whether stop ran
// before ctx ended.
func CloseOnDone(ctx context.Context, c interface{ SetDeadline(time.Time) error }) (stop func() bool) {
	return context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
}
