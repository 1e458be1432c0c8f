package webrtc

import (
	"github.com/voicewatch/voicewatch/internal/funcopt"
	"github.com/voicewatch/voicewatch/internal/turncred"
	"github.com/voicewatch/voicewatch/probes/probemetrics"

	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/transport/v5"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/voicewatch/voicewatch/probes"
)

// Prober makes one WHIP call per Probe.
type Prober struct {
	cfg      Config
	endpoint *url.URL
	api      *webrtc.API
	http     *http.Client
	logger   *slog.Logger
}

var _ probes.Prober = (*Prober)(nil)

// New returns a prober for cfg.Target: zero fields of cfg take their
// defaults.
func New(cfg Config, opts ...Option) (*Prober, error) {
	cfg = cfg.WithDefaults()
	u, err := probes.ParseHTTPURL(cfg.Target, ErrBadURL, "http(s)://host/whip")
	if err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := funcopt.Apply(options{}, opts)
	o.logger = funcopt.Logger(o.logger)
	api, err := newAPI(cfg, o.net)
	if err != nil {
		return nil, err
	}
	client := o.client
	if client == nil {
		client = &http.Client{}
	}
	return &Prober{cfg: cfg, endpoint: u, api: api, http: client,
		logger: o.logger.With("component", "probe.webrtc")}, nil
}

// newAPI builds the pion API: PCMU only, mDNS off (a probe has no privacy
// to protect and .local candidates rarely resolve across networks), and
// the loopback and relay settings from cfg.
func newAPI(cfg Config, n transport.Net) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1},
		PayloadType:        0,
	}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, fmt.Errorf("register PCMU: %w", err)
	}
	se := webrtc.SettingEngine{}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	if cfg.Loopback {
		se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
		se.SetIncludeLoopbackCandidate(true)
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeTCP4})
	}
	switch {
	case cfg.RelayAcceptanceMinWait != nil:
		se.SetRelayAcceptanceMinWait(*cfg.RelayAcceptanceMinWait)
	case cfg.RelayOnly:
		se.SetRelayAcceptanceMinWait(0)
	}
	if n != nil {
		se.SetNet(n)
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(se)), nil
}

// iceServers converts the config, deriving REST credentials now.
func (p *Prober) iceServers() []webrtc.ICEServer {
	out := make([]webrtc.ICEServer, 0, len(p.cfg.ICEServers))
	for _, s := range p.cfg.ICEServers {
		is := webrtc.ICEServer{URLs: []string{s.URL}}
		if strings.HasPrefix(s.URL, "turn") {
			user, pass := s.Username, s.Password
			if s.Secret != "" {
				user, pass = turncred.REST(s.Secret, "voicewatch-probe", time.Hour, time.Now())
			}
			is.Username, is.Credential = user, pass
		}
		out = append(out, is)
	}
	return out
}

// call is the state of one probe call.
type call struct {
	p       *Prober
	pc      *webrtc.PeerConnection
	track   *webrtc.TrackLocalStaticSample
	whip    *whipClient
	phases  map[string]time.Duration
	gather  *event
	ice     *event
	iceBad  *event
	dtls    *event
	dtlsBad *event
	conn    *event
	connBad *event
	audio   *event
	wg      sync.WaitGroup
	// stop ends the call's own goroutines (trickle) at close.
	stop context.CancelFunc
	// gatherStart is when gathering began; trickleDone closes when the
	// trickle goroutine has sent end-of-candidates (or given up).
	gatherStart time.Time
	trickleDone chan struct{}
	// firstLoud and lastLoud are the arrival times (UnixNano) of the first
	// and latest loud packet; replyAfter, once set to the end of the
	// probe's tone, makes the next loud packet fire audio (the reply).
	firstLoud, lastLoud, replyAfter atomic.Int64
}

// Probe makes the call; it hangs up and releases everything before it
// returns.
func (p *Prober) Probe(ctx context.Context) probes.Result {
	start := time.Now()
	r := probes.Result{Kind: probemetrics.KindWebRTC, Target: probes.RedactTarget(p.cfg.Target), Success: true}
	c := &call{p: p, phases: map[string]time.Duration{},
		gather: newEvent(), ice: newEvent(), iceBad: newEvent(), dtls: newEvent(), dtlsBad: newEvent(),
		conn: newEvent(), connBad: newEvent(), audio: newEvent(),
		whip: &whipClient{http: p.http, endpoint: p.endpoint, token: p.cfg.Token}}
	cctx, stop := context.WithCancel(ctx)
	c.stop = stop
	phase, reason, err := c.run(cctx, &r)
	r.CertExpiry = c.whip.certExpiry
	c.close(ctx, &r, err == nil)
	select {
	case <-c.gather.c:
		c.phases[probemetrics.PhaseWebRTCICEGathering] = c.gather.time().Sub(c.gatherStart)
	default:
	}
	for _, name := range Phases {
		if d, ok := c.phases[name]; ok {
			r.Phases = append(r.Phases, probes.Phase{Name: name, Duration: d})
		}
	}
	if err != nil {
		r.Fail(phase, reason, err)
	}
	r.Duration = time.Since(start)
	p.logger.DebugContext(ctx, "webrtc probe done", "success", r.Success, "duration", r.Duration)
	return r
}

func (c *call) run(ctx context.Context, r *probes.Result) (phase string, reason probes.Reason, err error) {
	p := c.p
	policy := webrtc.ICETransportPolicyAll
	if p.cfg.RelayOnly {
		policy = webrtc.ICETransportPolicyRelay
		r.SetDetail("ice_policy", "relay")
	}
	pc, err := p.api.NewPeerConnection(webrtc.Configuration{ICEServers: p.iceServers(), ICETransportPolicy: policy})
	if err != nil {
		return probemetrics.PhaseWebRTCSignaling, probes.ReasonConfig, fmt.Errorf("peer connection: %w", err)
	}
	c.pc = pc
	c.track, err = webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1}, "audio", "voicewatch-probe")
	if err != nil {
		return probemetrics.PhaseWebRTCSignaling, probes.ReasonOther, err
	}
	sender, err := pc.AddTrack(c.track)
	if err != nil {
		return probemetrics.PhaseWebRTCSignaling, probes.ReasonOther, err
	}
	c.wire(sender)

	gatherStart := time.Now()
	c.gatherStart = gatherStart
	cands := make(chan *webrtc.ICECandidate, 64)
	var gathered sync.Map // candidate type → *atomic.Int32
	pc.OnICECandidate(func(cand *webrtc.ICECandidate) {
		if cand == nil {
			c.gather.fire()
			return
		}
		n, _ := gathered.LoadOrStore(cand.Typ.String(), new(atomic.Int32))
		n.(*atomic.Int32).Add(1)
		select {
		case cands <- cand:
		default: // more than 64 candidates: the offer/end-of-candidates still carry the rest
		}
	})
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		return probemetrics.PhaseWebRTCSignaling, probes.ReasonOther, fmt.Errorf("create offer: %w", err)
	}
	if err := pc.SetLocalDescription(offer); err != nil {
		return probemetrics.PhaseWebRTCSignaling, probes.ReasonOther, fmt.Errorf("set local description: %w", err)
	}
	if !p.cfg.Trickle {
		if err := wait(ctx, c.gather.c, nil); err != nil {
			c.phases[probemetrics.PhaseWebRTCICEGathering] = time.Since(gatherStart)
			counts := []string{}
			for _, typ := range []string{"host", "srflx", "relay"} {
				v := int32(0)
				if n, ok := gathered.Load(typ); ok {
					v = n.(*atomic.Int32).Load()
				}
				counts = append(counts, fmt.Sprintf("%s %d", typ, v))
			}
			return probemetrics.PhaseWebRTCICEGathering, probes.ReasonTimeout, fmt.Errorf("ICE gathering did not complete (candidates so far: %s); check that the ICE servers answer: %w",
				strings.Join(counts, ", "), orTimeout(err, "gathering"))
		}
		c.phases[probemetrics.PhaseWebRTCICEGathering] = c.gather.time().Sub(gatherStart)
		offer = *pc.LocalDescription()
	}

	sigStart := time.Now()
	answer, err := c.whip.offer(ctx, offer.SDP)
	c.phases[probemetrics.PhaseWebRTCSignaling] = time.Since(sigStart)
	if err != nil {
		return probemetrics.PhaseWebRTCSignaling, signalingReason(ctx, err), err
	}
	r.SetDetail("session", "created")
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		return probemetrics.PhaseWebRTCSignaling, probes.ReasonSignaling, fmt.Errorf("%w: bad answer: %w", ErrSignaling, err)
	}
	answered := time.Now()
	if p.cfg.Trickle {
		c.trickleDone = make(chan struct{})
		c.wg.Go(func() {
			defer close(c.trickleDone)
			c.trickle(ctx, cands)
		})
	}

	if err := wait(ctx, c.ice.c, c.iceBad.c); err != nil {
		c.phases[probemetrics.PhaseWebRTCICEConnected] = time.Since(answered)
		return probemetrics.PhaseWebRTCICEConnected, probes.ReasonICEFailed, fmt.Errorf("%w: %w", ErrICEFailed, orTimeout(err, "ICE did not connect"))
	}
	c.phases[probemetrics.PhaseWebRTCICEConnected] = c.ice.time().Sub(answered)
	if pair, err := sender.Transport().ICETransport().GetSelectedCandidatePair(); err == nil && pair != nil {
		r.SetDetail(probes.DetailLocalCandidate, pair.Local.Typ.String())
		r.SetDetail(probes.DetailRemoteCandidate, pair.Remote.Typ.String())
		r.SetDetail("candidate_protocol", pair.Local.Protocol.String())
	}
	if err := wait(ctx, c.dtls.c, c.dtlsBad.c); err != nil {
		c.phases[probemetrics.PhaseWebRTCDTLS] = time.Since(c.ice.time())
		return probemetrics.PhaseWebRTCDTLS, probes.ReasonDTLSFailed, fmt.Errorf("%w: %w", ErrDTLSFailed, orTimeout(err, "DTLS handshake did not complete"))
	}
	c.phases[probemetrics.PhaseWebRTCDTLS] = c.dtls.time().Sub(c.ice.time())
	if err := wait(ctx, c.conn.c, c.connBad.c); err != nil {
		c.phases[probemetrics.PhaseWebRTCConnected] = time.Since(c.dtls.time())
		return probemetrics.PhaseWebRTCConnected, probes.ReasonICEFailed, fmt.Errorf("peer connection did not connect: %w", orTimeout(err, "not connected"))
	}
	c.phases[probemetrics.PhaseWebRTCConnected] = max(c.conn.time().Sub(c.dtls.time()), 0)
	if !*p.cfg.WaitForAudio {
		return "", "", nil
	}

	greetingUnfinished := false
	if p.cfg.Greeting == GreetingWait {
		greetStart := time.Now()
		greeting, unfinished, err := c.awaitGreeting(ctx)
		c.phases[probemetrics.PhaseWebRTCGreeting] = time.Since(greetStart)
		if err != nil {
			return probemetrics.PhaseWebRTCGreeting, probes.ReasonTimeout, fmt.Errorf("the bot's greeting did not end (no %s of silence): %w", p.cfg.GreetingGap, orTimeout(err, "greeting"))
		}
		switch {
		case unfinished:
			greetingUnfinished = true
			r.SetDetail("greeting", "still playing after "+greeting.Round(time.Millisecond).String())
		case greeting > 0:
			r.SetDetail("greeting", greeting.Round(time.Millisecond).String())
		default:
			r.SetDetail("greeting", "none")
		}
	}

	stopAudio := make(chan struct{})
	defer close(stopAudio)
	toneEnd := make(chan time.Time, 1)
	c.wg.Go(func() { c.sendAudio(stopAudio, toneEnd) })
	var end time.Time
	select {
	case end = <-toneEnd:
	case <-ctx.Done():
	case <-c.connBad.c:
	}
	replyErr := errors.New("connection lost")
	if !end.IsZero() {
		replyErr = c.awaitReply(ctx)
	}
	heardAt := c.firstLoud.Load()
	if heardAt != 0 {
		c.phases[probemetrics.PhaseWebRTCFirstAudio] = max(time.Unix(0, heardAt).Sub(c.conn.time()), 0)
	}
	if p.cfg.Greeting == GreetingInterrupt {
		heard := "none"
		if heardAt != 0 && !end.IsZero() && heardAt < end.UnixNano() {
			heard = "interrupted" // the bot spoke before the tone ended
		}
		r.SetDetail("greeting", heard)
	}
	switch {
	case replyErr == nil && greetingUnfinished:
		// The audio after the tone may be the rest of the greeting: the
		// reply cannot be told apart, so it is not measured.
		r.SetDetail("response_latency", "not measured (the greeting was still playing)")
	case replyErr == nil:
		latency := c.audio.time().Sub(end) // ≥ 0: audio fires only at or after the tone's end
		c.phases[probemetrics.PhaseWebRTCResponseLatency] = latency
		r.SetDetail("response_latency", latency.Round(time.Millisecond).String())
	case heardAt == 0:
		c.phases[probemetrics.PhaseWebRTCFirstAudio] = time.Since(c.conn.time())
		c.measureQuality(r)
		return probemetrics.PhaseWebRTCFirstAudio, probes.ReasonNoAudio, fmt.Errorf("%w: %w", ErrNoAudio, orTimeout(replyErr, "no audio"))
	case p.cfg.RequireReply:
		c.measureQuality(r)
		return probemetrics.PhaseWebRTCResponseLatency, probes.ReasonNoAudio, fmt.Errorf("%w: the bot spoke but did not answer the probe's tone within %s: %w",
			ErrNoAudio, p.cfg.ReplyTimeout, orTimeout(replyErr, "no reply"))
	default:
		// The bot spoke (its greeting) but did not answer a tone: bots
		// whose recognizer wants words do not. The media path works.
		r.SetDetail("response_latency", "no reply to the tone")
	}
	if p.cfg.Hold > 0 {
		hold := time.NewTimer(p.cfg.Hold)
		select {
		case <-hold.C:
		case <-ctx.Done():
		case <-c.connBad.c:
		}
		hold.Stop()
	}
	c.measureQuality(r)
	return "", "", nil
}

// hangupMargin is the time a probe keeps before its deadline to hang up.
const hangupMargin = 250 * time.Millisecond

// awaitReply waits for the bot's answer to the tone (audio fires) for
// ReplyTimeout, or until hangupMargin before ctx's deadline: a probe that
// heard a greeting but gets no reply still ends in time to report it.
func (c *call) awaitReply(ctx context.Context) error {
	d := c.p.cfg.ReplyTimeout
	if dl, ok := ctx.Deadline(); ok {
		d = min(d, time.Until(dl)-hangupMargin)
	}
	if d <= 0 {
		return fmt.Errorf("no time left for a reply: %w", context.DeadlineExceeded)
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-c.audio.c:
		return nil
	case <-c.connBad.c:
		return errors.New("connection lost")
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return fmt.Errorf("no reply within %s: %w", d.Round(time.Millisecond), context.DeadlineExceeded)
	}
}

// awaitGreeting listens for a greeting: none if nothing loud arrives within
// GreetingWindow, else it waits until GreetingGap passes without a loud
// packet and returns how long the greeting lasted.
//
// It stops waiting early, with unfinished set, when what is left of the
// probe's time would no longer fit the tone and a short wait for the
// reply: a long greeting must not fail a call that works.
func (c *call) awaitGreeting(ctx context.Context) (heard time.Duration, unfinished bool, err error) {
	start := time.Now()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	stopBy := time.Time{}
	if dl, ok := ctx.Deadline(); ok {
		stopBy = dl.Add(-(c.p.cfg.ToneDuration + time.Second + hangupMargin))
	}
	for {
		now := time.Now()
		first, last := c.firstLoud.Load(), c.lastLoud.Load()
		switch {
		case first == 0 && now.Sub(start) >= c.p.cfg.GreetingWindow:
			return 0, false, nil
		case first != 0 && now.Sub(time.Unix(0, last)) >= c.p.cfg.GreetingGap:
			return time.Unix(0, last).Sub(time.Unix(0, first)) + 20*time.Millisecond, false, nil
		case !stopBy.IsZero() && now.After(stopBy):
			if first == 0 {
				return 0, false, nil
			}
			return now.Sub(time.Unix(0, first)), true, nil
		}
		select {
		case <-ctx.Done():
			return 0, false, ctx.Err()
		case <-c.connBad.c:
			return 0, false, errors.New("connection lost")
		case <-tick.C:
		}
	}
}

// wire registers the state callbacks that fire the call's events.
func (c *call) wire(sender *webrtc.RTPSender) {
	c.pc.OnICEConnectionStateChange(func(s webrtc.ICEConnectionState) {
		switch s {
		case webrtc.ICEConnectionStateConnected, webrtc.ICEConnectionStateCompleted:
			c.ice.fire()
		case webrtc.ICEConnectionStateFailed:
			c.iceBad.fire()
		}
	})
	sender.Transport().OnStateChange(func(s webrtc.DTLSTransportState) {
		switch s {
		case webrtc.DTLSTransportStateConnected:
			c.dtls.fire()
		case webrtc.DTLSTransportStateFailed:
			c.dtlsBad.fire()
		}
	})
	c.pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		switch s {
		case webrtc.PeerConnectionStateConnected:
			c.conn.fire()
		case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
			c.connBad.fire()
		}
	})
	threshold := c.p.cfg.AudioThreshold
	c.pc.OnTrack(func(tr *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
		// The bot's RTCP, read as a browser does: pion's interceptors
		// then see its sender reports (our RTT, via our receiver reports'
		// LSR/DLSR). Ends when the connection closes.
		go func() {
			for {
				if _, _, err := recv.ReadRTCP(); err != nil {
					return
				}
			}
		}()
		// Runs on pion's goroutine; ends when the connection closes.
		for {
			pkt, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			if rms(pkt.Payload) > threshold {
				now := time.Now().UnixNano()
				c.firstLoud.CompareAndSwap(0, now)
				c.lastLoud.Store(now)
				if after := c.replyAfter.Load(); after != 0 && now >= after {
					c.audio.fire()
				}
			}
		}
	})
	// The bot's receiver reports about the probe's stream: pion's stats
	// interceptor takes the round-trip time from them.
	c.wg.Go(func() {
		for {
			if _, _, err := sender.ReadRTCP(); err != nil {
				return
			}
		}
	})
}

// sendAudio writes 20 ms PCMU packets, the tone then silence, until stop.
// When it sends the tone's last packet it sends that time on toneEnd and
// arms the reply: the next loud packet after it is the bot's answer.
func (c *call) sendAudio(stop <-chan struct{}, toneEnd chan<- time.Time) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	toneN := max(int(c.p.cfg.ToneDuration/(20*time.Millisecond)), 1)
	for n := 0; ; n++ {
		data := silence()
		if n < toneN {
			data = tone(n)
		}
		if n == toneN-1 {
			end := time.Now()
			toneEnd <- end
			c.replyAfter.Store(end.UnixNano())
		}
		if err := c.track.WriteSample(media.Sample{Data: data, Duration: 20 * time.Millisecond}); err != nil {
			return
		}
		select {
		case <-stop:
			return
		case <-tick.C:
		}
	}
}

// trickle PATCHes local candidates as they are gathered, then
// end-of-candidates. It stops early if the server does not do trickle.
func (c *call) trickle(ctx context.Context, cands <-chan *webrtc.ICECandidate) {
	ld := c.pc.LocalDescription()
	ufrag, pwd := sdpAttr(ld.SDP, "ice-ufrag"), sdpAttr(ld.SDP, "ice-pwd")
	mid := sdpAttr(ld.SDP, "mid")
	send := func(lines []string, end bool) bool {
		ok, err := c.whip.trickle(ctx, sdpFrag(ufrag, pwd, mid, lines, end))
		if err != nil {
			c.p.logger.DebugContext(ctx, "trickle PATCH failed", "error", err)
		}
		return ok && err == nil
	}
	for {
		select {
		case <-ctx.Done():
			return
		case cand := <-cands:
			if !send([]string{cand.ToJSON().Candidate}, false) {
				return
			}
		case <-c.gather.c:
			var rest []string
			for len(cands) > 0 {
				rest = append(rest, (<-cands).ToJSON().Candidate)
			}
			_ = send(rest, true)
			return
		}
	}
}

// close hangs up (DELETE) and closes the peer connection. A DELETE after
// the deadline gets a 100 ms grace so sessions do not leak on the server.
func (c *call) close(ctx context.Context, r *probes.Result, record bool) {
	if c.trickleDone != nil {
		// Let the candidates reach the server before hanging up; like a
		// complete offer, a trickled one includes end-of-candidates.
		select {
		case <-c.trickleDone:
		case <-ctx.Done():
		}
	}
	hctx := ctx
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		hctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 100*time.Millisecond)
		defer cancel()
	}
	start := time.Now()
	err := c.whip.hangup(hctx)
	if c.whip.resource != "" && record {
		c.phases[probemetrics.PhaseWebRTCHangup] = time.Since(start)
	}
	if err != nil {
		r.SetDetail("hangup_error", err.Error())
		if record {
			r.Fail(probemetrics.PhaseWebRTCHangup, signalingReason(hctx, err), err)
		}
	}
	c.stop()
	if c.pc != nil {
		_ = c.pc.Close()
	}
	c.wg.Wait()
}

// wait blocks until ok fires (nil), bad fires, or ctx ends.
func wait(ctx context.Context, ok, bad <-chan struct{}) error {
	select {
	case <-ok:
		return nil
	case <-bad:
		return errors.New("failed")
	case <-ctx.Done():
		return ctx.Err()
	}
}

func orTimeout(err error, what string) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s before the probe timeout: %w", what, probes.ErrTimeout)
	}
	return err
}

func signalingReason(ctx context.Context, err error) probes.Reason {
	switch {
	case errors.Is(err, ErrUnauthorized):
		return probes.ReasonBadCredentials
	case errors.Is(err, ErrSignaling):
		return probes.ReasonSignaling
	case ctx.Err() != nil:
		return probes.ReasonTimeout
	}
	if r := probes.Classify(err); r != probes.ReasonOther {
		return r
	}
	return probes.ReasonSignaling
}

// sdpAttr returns the first "a=name:value" value in sdp.
func sdpAttr(sdp, name string) string {
	for _, line := range strings.Split(sdp, "\n") {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "a="+name+":"); ok {
			return v
		}
	}
	return ""
}
