package turn

import (
	"github.com/voicewatch/voicewatch/internal/turncred"

	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/pion/logging"
	"github.com/pion/stun/v4"
	"github.com/pion/transport/v5"
	pionturn "github.com/pion/turn/v5"

	"github.com/voicewatch/voicewatch/probes"
	"github.com/voicewatch/voicewatch/probes/internal/netutil"
	"github.com/voicewatch/voicewatch/probes/internal/stunturn"
	"github.com/voicewatch/voicewatch/probes/probemetrics"
)

// Prober runs one TURN allocation end to end.
type Prober struct {
	cfg    Config
	uri    *stun.URI
	addr   string
	net    transport.Net
	roots  *x509.CertPool
	logger *slog.Logger
}

var _ probes.Prober = (*Prober)(nil)

// New returns a prober for cfg.Target: zero fields of cfg take their
// defaults.
func New(cfg Config, opts ...Option) (*Prober, error) {
	cfg = cfg.WithDefaults()
	if _, _, err := parseURI(cfg.Target); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	roots, err := cfg.roots()
	if err != nil {
		return nil, err
	}
	return newProber(cfg, roots, opts)
}

// parseURI parses a turn: or turns: target without credentials in it.
func parseURI(target string) (*stun.URI, string, error) {
	u, addr, err := stunturn.ParseURI(target, ErrBadURI, "turn: or turns:", stun.SchemeTypeTURN, stun.SchemeTypeTURNS)
	if err != nil {
		return nil, "", err
	}
	if u.Username != "" || u.Password != "" {
		return nil, "", fmt.Errorf("%w: credentials do not belong in the URI", ErrBadURI)
	}
	return u, addr, nil
}

// newProber builds the prober of cfg (defaults applied, validated) with
// the CA pool loaded from cfg.CAFile.
func newProber(cfg Config, roots *x509.CertPool, opts []Option) (*Prober, error) {
	u, addr, err := parseURI(cfg.Target)
	if err != nil {
		return nil, err
	}
	o, err := stunturn.Apply(opts)
	if err != nil {
		return nil, err
	}
	return &Prober{cfg: cfg, uri: u, addr: addr, net: o.Net, roots: roots,
		logger: o.Logger.With("component", "probe.turn", "target", probes.RedactTarget(cfg.Target))}, nil
}

// transport returns "udp", "tcp" or "tls".
func (p *Prober) transport() string {
	switch {
	case p.uri.Scheme == stun.SchemeTypeTURNS:
		return "tls"
	case p.uri.Proto == stun.ProtoTypeTCP:
		return "tcp"
	default:
		return "udp"
	}
}

// session is the state of one probe run; everything it opens is closed
// by close.
type session struct {
	p       *Prober
	ctx     context.Context
	cancel  context.CancelCauseFunc
	udp     *serverConn
	conn    net.PacketConn
	obs     *observedConn
	client  *pionturn.Client
	relay   net.PacketConn
	peer    net.PacketConn
	peerWG  sync.WaitGroup
	user    string
	pass    string
	nonce   stun.Nonce
	closers []func()
	// certExpiry is the earliest NotAfter of the TLS chain (turns:).
	certExpiry time.Time
}

// Probe runs connect → allocate → peer_binding → permission → relay_echo
// → refresh → deallocate, stopping at the first failure, and releases
// everything before it returns.
func (p *Prober) Probe(ctx context.Context) probes.Result {
	start := time.Now()
	r := probes.Result{Kind: probemetrics.KindTURN, Target: probes.RedactTarget(p.cfg.Target), Success: true}
	r.SetDetail("transport", p.transport())
	t := probes.NewPhaseTimer(&r, nil)
	ctx, cancel := context.WithCancelCause(ctx)
	s := &session{p: p, ctx: ctx, cancel: cancel}
	defer s.close()
	if err := s.run(t, &r); err != nil {
		t.Fail(s.classify(err), err)
	}
	r.CertExpiry = s.certExpiry
	t.End()
	r.Duration = time.Since(start)
	p.logger.DebugContext(ctx, "turn probe done", "success", r.Success, "duration", r.Duration)
	return r
}

func (s *session) run(t *probes.PhaseTimer, r *probes.Result) error {
	p := s.p
	s.user, s.pass = p.cfg.Username, p.cfg.Password
	if p.cfg.Secret != "" {
		s.user, s.pass = turncred.REST(p.cfg.Secret, p.cfg.RESTUser, p.cfg.RESTTTL, p.cfg.Now())
	}
	for attempt := 1; ; attempt++ {
		if p.transport() != "udp" {
			t.Start(probemetrics.PhaseTURNConnect)
		}
		if err := s.connect(); err != nil {
			return err
		}
		t.Start(probemetrics.PhaseTURNAllocate)
		err := s.allocate()
		if err == nil {
			break
		}
		// RFC 8656 §7.3: 437 Allocation Mismatch means the server still
		// holds our 5-tuple (a reused local port); the client MAY retry
		// from a different local transport address.
		if attempt >= maxAllocateAttempts || s.obs.lastCode.Load() != int32(stun.CodeAllocMismatch) {
			return err
		}
		r.SetDetail("allocate_retries", strconv.Itoa(attempt))
		s.client.Close()
		_ = s.conn.Close()
		s.client, s.conn, s.udp, s.obs = nil, nil, nil, nil
	}
	r.SetDetail("relay_address", s.relay.LocalAddr().String())

	t.Start(probemetrics.PhaseTURNPeerBinding)
	peerAddr, err := s.startPeer(r)
	if err != nil {
		return err
	}
	r.SetDetail("peer_address", peerAddr.String())

	t.Start(probemetrics.PhaseTURNPermission)
	if err := s.client.CreatePermission(peerAddr); err != nil {
		return fmt.Errorf("create permission for %s: %w", peerAddr, err)
	}

	t.Start(probemetrics.PhaseTURNRelayEcho)
	q, err := s.echo(peerAddr)
	if err != nil {
		return err
	}
	r.Media = &q
	r.SetDetail("relay_rtt", q.RTTMin.String()) // the best of the echoes
	r.SetDetail("packets", fmt.Sprintf("%d/%d", q.Received, q.Sent))
	r.SetDetail(probes.DetailPacketLoss, fmt.Sprintf("%.1f%%", q.Loss*100))
	r.SetDetail(probes.DetailRTT, q.RTT.Round(time.Microsecond).String())
	r.SetDetail("rtt_p95", q.RTTP95.Round(time.Microsecond).String())
	r.SetDetail(probes.DetailJitter, q.Jitter.Round(time.Microsecond).String())
	// The first send started a ChannelBind (pion does it in the
	// background); wait for its answer so it is part of the check and
	// no transaction outlives the probe.
	select {
	case <-s.obs.bindDone:
	case <-s.ctx.Done():
		return fmt.Errorf("no answer to ChannelBind: %w", s.ctx.Err())
	}
	if code := s.obs.bindCode.Load(); code != 0 {
		return &stun.TurnError{StunMessageType: stun.NewType(stun.MethodChannelBind, stun.ClassErrorResponse),
			ErrorCodeAttr: stun.ErrorCodeAttribute{Code: stun.ErrorCode(code)}}
	}
	r.SetDetail("channel_bind", "ok")

	t.Start(probemetrics.PhaseTURNRefresh)
	if err := s.refresh(10 * time.Minute); err != nil {
		return fmt.Errorf("refresh: %w", err)
	}
	t.Start(probemetrics.PhaseTURNDeallocate)
	if err := s.refresh(0); err != nil {
		return fmt.Errorf("deallocate: %w", err)
	}
	t.End()
	return nil
}

// connect opens the transport to the server and starts the pion client.
func (s *session) connect() error {
	p := s.p
	// Close everything when ctx ends: pion's CreatePermission and Refresh
	// do not take a context, closing the client ends their transactions.
	stop := context.AfterFunc(s.ctx, func() {
		if s.client != nil {
			s.client.Close()
		}
		if s.conn != nil {
			_ = s.conn.Close()
		}
	})
	s.closers = append(s.closers, func() { stop() })
	switch p.transport() {
	case "udp":
		raddr, err := p.net.ResolveUDPAddr("udp4", p.addr)
		if err != nil {
			return fmt.Errorf("resolve %s: %w", p.addr, err)
		}
		c, err := p.net.DialUDP("udp4", nil, raddr)
		if err != nil {
			return fmt.Errorf("dial %s: %w", p.addr, err)
		}
		s.udp = &serverConn{UDPConn: c, server: raddr, onRefused: func(err error) {
			s.cancel(fmt.Errorf("%w: %w", ErrRefused, err))
		}}
		s.conn = s.udp
	default:
		c, err := netutil.DialTCP(s.ctx, p.net, p.addr)
		if err != nil {
			return fmt.Errorf("connect %s: %w", p.addr, err)
		}
		if p.transport() == "tls" {
			name := p.cfg.ServerName
			if name == "" {
				name = p.uri.Host
			}
			tc := tls.Client(c, &tls.Config{ServerName: name, RootCAs: p.roots, MinVersion: tls.VersionTLS12})
			if err := tc.HandshakeContext(s.ctx); err != nil {
				_ = c.Close()
				return fmt.Errorf("tls handshake with %s: %w", p.addr, err)
			}
			s.certExpiry = probes.EarliestExpiry(tc.ConnectionState().PeerCertificates)
			c = tc
		}
		s.conn = pionturn.NewSTUNConn(c)
	}
	s.obs = newObservedConn(s.conn)
	client, err := pionturn.NewClient(&pionturn.ClientConfig{
		STUNServerAddr: p.addr,
		TURNServerAddr: p.addr,
		Username:       s.user,
		Password:       s.pass,
		Software:       p.cfg.Software,
		RTO:            p.cfg.RTO,
		Conn:           s.obs,
		Net:            p.net,
		LoggerFactory:  quietLoggers(),
	})
	if err != nil {
		return fmt.Errorf("turn client: %w", err)
	}
	s.client = client
	if err := client.Listen(); err != nil {
		return fmt.Errorf("turn client: %w", err)
	}
	return nil
}

func (s *session) allocate() error {
	relay, err := s.client.AllocateWithContext(s.ctx)
	if err != nil {
		if code := s.obs.lastCode.Load(); code != 0 && errors.Is(err, stun.ErrAttributeNotFound) {
			return fmt.Errorf("allocate: server answered error %d: %w", code, err)
		}
		return fmt.Errorf("allocate: %w", err)
	}
	s.relay = relay
	return nil
}

// close releases the session: relay (its Close sends a last Refresh 0
// without waiting), client, transport, echo peer.
func (s *session) close() {
	if s.relay != nil {
		_ = s.relay.Close()
	}
	if s.client != nil {
		s.client.Close()
	}
	if s.conn != nil {
		_ = s.conn.Close()
	}
	if s.peer != nil {
		_ = s.peer.Close()
	}
	s.peerWG.Wait()
	for _, c := range s.closers {
		c()
	}
	s.cancel(nil)
}

func quietLoggers() logging.LoggerFactory {
	f := logging.NewDefaultLoggerFactory()
	f.DefaultLogLevel = logging.LogLevelDisabled
	return f
}

// classify maps a failure to a reason; ctx's cause wins (refused, timeout).
func (s *session) classify(err error) probes.Reason {
	if cause := context.Cause(s.ctx); cause != nil {
		if errors.Is(cause, ErrRefused) {
			return probes.ReasonUnreachable
		}
		if s.udp != nil && s.udp.garbage.Load() > 0 {
			return probes.ReasonProtocol
		}
		return probes.ReasonTimeout
	}
	if errors.Is(err, ErrNoEcho) {
		return probes.ReasonTimeout // the relay path drops data, as a silent firewall does
	}
	var te *stun.TurnError
	var tv stun.TurnError
	code := -1
	if errors.As(err, &te) {
		code = int(te.ErrorCodeAttr.Code)
	} else if errors.As(err, &tv) {
		code = int(tv.ErrorCodeAttr.Code)
	} else if errors.Is(err, stun.ErrAttributeNotFound) && s.obs != nil && s.obs.lastCode.Load() != 0 {
		code = int(s.obs.lastCode.Load())
	}
	switch code {
	case int(stun.CodeUnauthorized):
		return probes.ReasonBadCredentials
	case int(stun.CodeStaleNonce):
		return probes.ReasonStaleNonce
	case int(stun.CodeForbidden):
		return probes.ReasonForbiddenPeer
	case int(stun.CodeAllocQuotaReached), int(stun.CodeInsufficientCapacity):
		return probes.ReasonAllocationQuota
	case -1:
	default:
		return probes.ReasonProtocol
	}
	if s.udp != nil && s.udp.garbage.Load() > 0 {
		return probes.ReasonProtocol
	}
	if reason := probes.Classify(err); reason != probes.ReasonOther {
		return reason
	}
	if isRetransmitTimeout(err) {
		return probes.ReasonTimeout
	}
	return probes.ReasonOther
}

// maxAllocateAttempts bounds the retries after 437 Allocation Mismatch.
const maxAllocateAttempts = 3
