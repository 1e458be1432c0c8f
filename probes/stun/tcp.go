package stun

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"time"

	pionstun "github.com/pion/stun/v4"

	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/internal/netutil"
)

// tcpTimeout is Ti, the transaction timeout over reliable transports
// (RFC 8489 §6.2.2); ctx's deadline usually ends the wait earlier.
const tcpTimeout = 39500 * time.Millisecond

// tcp runs one Binding transaction over a fresh TCP connection.
func (p *Prober) tcp(ctx context.Context) (b binding) {
	start := time.Now()
	defer func() { b.elapsed = time.Since(start) }()
	fail := func(err error) binding {
		b.err, b.reason = err, probes.Classify(err)
		if ctx.Err() != nil {
			return p.timedOut(b, err)
		}
		return b
	}
	ctx, cancel := context.WithTimeout(ctx, tcpTimeout)
	defer cancel()
	conn, err := netutil.DialTCP(ctx, p.net, p.addr)
	if err != nil {
		return fail(fmt.Errorf("connect: %w", err))
	}
	defer func() { _ = conn.Close() }()
	b.connect = time.Since(start)
	stop := netutil.CloseOnDone(ctx, conn)
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	req, err := p.request()
	if err != nil {
		return fail(err)
	}
	sent := time.Now()
	if _, err := conn.Write(req.Raw); err != nil {
		return fail(fmt.Errorf("send: %w", err))
	}
	for {
		hdr := make([]byte, 20)
		if _, err := io.ReadFull(conn, hdr); err != nil {
			return fail(fmt.Errorf("receive: %w", err))
		}
		if !pionstun.IsMessage(hdr) {
			b.err, b.reason = fmt.Errorf("%w: stream does not carry STUN", ErrMalformed), probes.ReasonProtocol
			return b
		}
		n := binary.BigEndian.Uint16(hdr[2:4])
		frame := make([]byte, 20+int(n))
		copy(frame, hdr)
		if _, err := io.ReadFull(conn, frame[20:]); err != nil {
			return fail(fmt.Errorf("receive: %w", err))
		}
		if parse(frame, req, &b) {
			b.rtt = time.Since(sent)
			return b
		}
	}
}
