package stun

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	pionstun "github.com/pion/stun/v4"
	"github.com/pion/transport/v5"

	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/internal/stunturn"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
)

// Prober sends STUN Binding requests to one server.
type Prober struct {
	cfg    Config
	addr   string
	net    transport.Net
	logger *slog.Logger
}

var _ probes.Prober = (*Prober)(nil)

// New returns a prober for cfg.Target: zero fields of cfg take their
// defaults.
func New(cfg Config, opts ...Option) (*Prober, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	_, addr, err := stunturn.ParseURI(cfg.Target, ErrBadURI, "stun:host[:port]", pionstun.SchemeTypeSTUN)
	if err != nil {
		return nil, err
	}
	o, err := stunturn.Apply(opts)
	if err != nil {
		return nil, err
	}
	return &Prober{
		cfg:    cfg,
		addr:   addr,
		net:    o.Net,
		logger: o.Logger.With("component", "probe.stun", "target", probes.RedactTarget(cfg.Target)),
	}, nil
}

// binding is the outcome of one Binding transaction.
type binding struct {
	mapped   string
	software string
	rtt      time.Duration
	connect  time.Duration
	rtx      int
	elapsed  time.Duration
	err      error
	reason   probes.Reason
}

// Probe sends one Binding request per transport in parallel and waits for
// all of them, or ctx.
func (p *Prober) Probe(ctx context.Context) probes.Result {
	start := time.Now()
	r := probes.Result{Kind: probemetrics.KindSTUN, Target: probes.RedactTarget(p.cfg.Target), Success: true}
	out := make([]binding, len(p.cfg.Transports))
	var wg sync.WaitGroup
	for i, tr := range p.cfg.Transports {
		wg.Go(func() {
			if tr == TransportUDP {
				out[i] = p.udp(ctx)
			} else {
				out[i] = p.tcp(ctx)
			}
		})
	}
	wg.Wait()
	for i, tr := range p.cfg.Transports {
		b := out[i]
		phase := bindingPhase[tr]
		r.Phases = append(r.Phases, probes.Phase{Name: phase, Duration: b.elapsed})
		if b.err != nil {
			r.SetDetail(tr+"_error", string(b.reason))
			r.Fail(phase, b.reason, fmt.Errorf("%s %s: %w", tr, p.addr, b.err))
			continue
		}
		r.SetDetail(tr+"_mapped_address", b.mapped)
		r.SetDetail(tr+"_rtt", b.rtt.String())
		if b.software != "" {
			r.SetDetail(tr+"_server_software", b.software)
		}
		if tr == TransportUDP {
			r.SetDetail("udp_retransmissions", strconv.Itoa(b.rtx))
		} else {
			r.SetDetail("tcp_connect", b.connect.String())
		}
	}
	r.Duration = time.Since(start)
	p.logger.DebugContext(ctx, "stun probe done", "success", r.Success, "duration", r.Duration)
	return r
}

func (p *Prober) request() (*pionstun.Message, error) {
	return pionstun.Build(pionstun.TransactionID, pionstun.BindingRequest,
		pionstun.NewSoftware(p.cfg.Software), pionstun.Fingerprint)
}

// parse decodes a datagram or stream frame; ok=false means "not ours,
// keep waiting" (a late answer to another transaction).
func parse(buf []byte, req *pionstun.Message, b *binding) (done bool) {
	if !pionstun.IsMessage(buf) {
		b.err, b.reason = fmt.Errorf("%w: %d bytes that are not STUN", ErrMalformed, len(buf)), probes.ReasonProtocol
		return false
	}
	res := &pionstun.Message{Raw: append([]byte(nil), buf...)}
	if err := res.Decode(); err != nil {
		b.err, b.reason = fmt.Errorf("%w: %w", ErrMalformed, err), probes.ReasonProtocol
		return false
	}
	if res.TransactionID != req.TransactionID {
		return false
	}
	if res.Type.Class == pionstun.ClassErrorResponse {
		var code pionstun.ErrorCodeAttribute
		_ = code.GetFrom(res)
		b.err, b.reason = fmt.Errorf("%w: %d %s", ErrErrorResponse, code.Code, code.Reason), probes.ReasonProtocol
		return true
	}
	var xor pionstun.XORMappedAddress
	if err := xor.GetFrom(res); err == nil {
		b.mapped = xor.String()
	} else {
		var m pionstun.MappedAddress
		if err := m.GetFrom(res); err != nil {
			b.err, b.reason = ErrNoMappedAddress, probes.ReasonProtocol
			return true
		}
		b.mapped = m.String()
	}
	var sw pionstun.Software
	if err := sw.GetFrom(res); err == nil {
		b.software = sw.String()
	}
	b.err, b.reason = nil, ""
	return true
}
