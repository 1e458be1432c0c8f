package voicetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/rtp"
	"github.com/pion/transport/v5"
	"github.com/pion/webrtc/v4"

	"github.com/voicewatch/voicewatch/voice/audio"
)

// Codec names, as package voice spells its Codec values.
const (
	CodecPCMU = "pcmu"
	CodecOpus = "opus"
)

// PCMU and Opus are the codec parameters the media core registers.
var (
	PCMU = webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1},
		PayloadType:        0,
	}
	Opus = webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"},
		PayloadType:        111,
	}
)

// CallerOptions configure a Caller; the zero value is a PCMU caller on
// loopback host candidates without authentication.
type CallerOptions struct {
	Codec      string        // CodecPCMU (the default) or CodecOpus
	AlsoPCMU   bool          // offer PCMU after the main codec
	Net        transport.Net // a virtual network; nil means the host's "lo" (or Interfaces)
	Interfaces []string      // real interfaces to gather on instead of "lo" (no loopback candidates)
	ICEServers []webrtc.ICEServer
	RelayOnly  bool              // ICE transport policy relay
	Token      string            // bearer token on POST, PATCH and DELETE
	Header     map[string]string // extra request headers on POST
	// WithholdCandidates posts the offer without its candidates, as a
	// trickling browser does before it has gathered: the media core first
	// learns the caller's address from its connectivity checks (a
	// peer-reflexive candidate), until TrickleCandidates signals it.
	WithholdCandidates bool

	// OpusSpeech returns the loud Opus frame Speak sends for an Opus
	// caller; it is called on each Speak. Required for Speak with
	// CodecOpus.
	OpusSpeech func() ([]byte, error)
}

// Caller is a pion WHIP client for tests: it sends audio, counts what comes
// back and records when each packet arrived.
type Caller struct {
	// PC is the caller's peer connection, closed when the test ends.
	PC *webrtc.PeerConnection
	// Location is the session's path from the 201's Location header, set
	// by Call.
	Location string

	base  string
	opts  CallerOptions
	track *webrtc.TrackLocalStaticRTP
	seq   uint16
	ts    uint32

	connected chan struct{}
	gotAudio  chan struct{}
	received  atomic.Int64
	mu        sync.Mutex
	arrivals  []time.Time // arrival time of every packet
}

// NewCaller builds a caller for the media core at base (http://host:port).
func NewCaller(t testing.TB, base string, o CallerOptions) *Caller {
	t.Helper()
	if o.Codec == "" {
		o.Codec = CodecPCMU
	}
	m := &webrtc.MediaEngine{}
	codec := PCMU
	if o.Codec == CodecOpus {
		codec = Opus
	}
	if err := m.RegisterCodec(codec, webrtc.RTPCodecTypeAudio); err != nil {
		t.Fatal(err)
	}
	if o.AlsoPCMU && o.Codec != CodecPCMU {
		if err := m.RegisterCodec(PCMU, webrtc.RTPCodecTypeAudio); err != nil {
			t.Fatal(err)
		}
	}
	se := webrtc.SettingEngine{}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetRelayAcceptanceMinWait(0)
	switch {
	case o.Net != nil:
		se.SetNet(o.Net)
	case len(o.Interfaces) > 0:
		se.SetInterfaceFilter(func(name string) bool { return slices.Contains(o.Interfaces, name) })
	default:
		se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
		se.SetIncludeLoopbackCandidate(true)
	}
	api := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(se))
	cfg := webrtc.Configuration{ICEServers: o.ICEServers}
	if o.RelayOnly {
		cfg.ICETransportPolicy = webrtc.ICETransportPolicyRelay
	}
	pc, err := api.NewPeerConnection(cfg)
	if err != nil {
		t.Fatal(err)
	}
	track, err := webrtc.NewTrackLocalStaticRTP(codec.RTPCodecCapability, "audio", "caller")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.AddTrack(track); err != nil {
		t.Fatal(err)
	}
	c := &Caller{PC: pc, track: track, base: base, opts: o,
		connected: make(chan struct{}), gotAudio: make(chan struct{})}
	var connectedOnce, audioOnce sync.Once
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			connectedOnce.Do(func() { close(c.connected) })
		}
	})
	pc.OnTrack(func(tr *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
		// Read the bot's RTCP as a browser does, so pion's report
		// interceptor sees its sender reports and the caller's receiver
		// reports carry LSR/DLSR (the media core's RTT).
		go func() {
			for {
				if _, _, err := recv.ReadRTCP(); err != nil {
					return
				}
			}
		}()
		buf := make([]byte, 1500)
		for {
			if _, _, err := tr.Read(buf); err != nil {
				return
			}
			now := time.Now()
			c.mu.Lock()
			c.arrivals = append(c.arrivals, now)
			c.mu.Unlock()
			c.received.Add(1)
			audioOnce.Do(func() { close(c.gotAudio) })
		}
	})
	t.Cleanup(func() { _ = pc.Close() })
	return c
}

// Connected is closed when the peer connection first connects.
func (c *Caller) Connected() <-chan struct{} { return c.connected }

// GotAudio is closed when the first RTP packet comes back.
func (c *Caller) GotAudio() <-chan struct{} { return c.gotAudio }

// Received is the number of RTP packets that came back.
func (c *Caller) Received() int64 { return c.received.Load() }

// SetBase sends the caller's later requests (PATCH, DELETE) to another
// base URL: another media core of a cluster, or a load balancer.
func (c *Caller) SetBase(base string) { c.base = base }

// SessionURL is the session's URL (base + Location) once Call succeeded.
func (c *Caller) SessionURL() string { return c.base + c.Location }

// Call posts the offer (after full gathering) to /whip and applies the
// answer. A status other than 201 is an error returned with the response.
func (c *Caller) Call(ctx context.Context) (*http.Response, error) {
	offer, err := c.PC.CreateOffer(nil)
	if err != nil {
		return nil, err
	}
	done := webrtc.GatheringCompletePromise(c.PC)
	if err := c.PC.SetLocalDescription(offer); err != nil {
		return nil, err
	}
	<-done
	sdp := c.PC.LocalDescription().SDP
	if c.opts.WithholdCandidates {
		sdp = candidateLine.ReplaceAllString(sdp, "")
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/whip", strings.NewReader(sdp))
	req.Header.Set("Content-Type", "application/sdp")
	if c.opts.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.opts.Token)
	}
	for k, v := range c.opts.Header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return resp, fmt.Errorf("POST /whip: %s: %s", resp.Status, body)
	}
	c.Location = resp.Header.Get("Location")
	return resp, c.PC.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: string(body)})
}

// Speak sends speech of loud audio (a 300 Hz tone for PCMU, the
// OpusSpeech frame for Opus) then silence, 20 ms packets paced in real
// time, and returns when the last loud packet was sent. Sequence numbers
// and timestamps continue across calls.
func (c *Caller) Speak(ctx context.Context, speech, silence time.Duration) (lastLoud time.Time, err error) {
	var loud, quiet []byte
	step := uint32(160)
	if c.opts.Codec == CodecPCMU {
		loud, quiet = audio.ToneULaw(300, 0.3, 20), audio.SilenceULaw(20)
	} else {
		if c.opts.OpusSpeech == nil {
			return lastLoud, errors.New("voicetest: Speak on an Opus caller needs CallerOptions.OpusSpeech")
		}
		if loud, err = c.opts.OpusSpeech(); err != nil {
			return lastLoud, err
		}
		quiet, step = []byte{0xf8, 0xff, 0xfe}, 960
	}
	send := func(payload []byte, d time.Duration, isLoud bool) error {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for range int(d / (20 * time.Millisecond)) {
			pkt := &rtp.Packet{Header: rtp.Header{Version: 2, Timestamp: c.ts, SequenceNumber: c.seq}, Payload: payload}
			c.ts += step
			c.seq++
			if err := c.track.WriteRTP(pkt); err != nil {
				return err
			}
			if isLoud {
				lastLoud = time.Now()
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-tick.C:
			}
		}
		return nil
	}
	if err := send(loud, speech, true); err != nil {
		return lastLoud, err
	}
	return lastLoud, send(quiet, silence, false)
}

// FirstArrivalAfter returns the first packet arrival after t.
func (c *Caller) FirstArrivalAfter(t time.Time) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, a := range c.arrivals {
		if a.After(t) {
			return a, true
		}
	}
	return time.Time{}, false
}

// Patch sends a trickle ICE or ICE restart fragment (RFC 9725) with PATCH
// to the session's URL, with If-Match when ifMatch is set, and returns the
// status, the ETag and the body of the answer.
func (c *Caller) Patch(ctx context.Context, ifMatch, frag string) (status int, etag, body string, err error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPatch, c.SessionURL(), strings.NewReader(frag))
	req.Header.Set("Content-Type", "application/trickle-ice-sdpfrag")
	if c.opts.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.opts.Token)
	}
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("ETag"), string(b), nil
}

// iceCredentialLine matches the ice-ufrag and ice-pwd lines of an SDP.
var iceCredentialLine = regexp.MustCompile(`(?m)^a=(ice-ufrag|ice-pwd):(.*?)\r?$`)

// candidateLine matches an SDP candidate or end-of-candidates line.
var candidateLine = regexp.MustCompile(`(?m)^a=(candidate:|end-of-candidates).*\r?\n`)

// TrickleCandidates signals every local candidate of the current offer in
// one trickle PATCH (RFC 9725 §4.3.1) and returns its status.
func (c *Caller) TrickleCandidates(ctx context.Context) (int, error) {
	local := c.PC.LocalDescription().SDP
	var frag strings.Builder
	for _, m := range iceCredentialLine.FindAllStringSubmatch(local, 2) {
		frag.WriteString("a=" + m[1] + ":" + m[2] + "\r\n")
	}
	frag.WriteString("m=audio 9 RTP/AVP 0\r\na=mid:0\r\n")
	for _, l := range candidateLine.FindAllString(local, -1) {
		frag.WriteString(strings.TrimRight(l, "\r\n") + "\r\n")
	}
	status, _, body, err := c.Patch(ctx, "", frag.String())
	if err == nil && status != http.StatusNoContent {
		err = fmt.Errorf("trickle PATCH: %d: %s", status, body)
	}
	return status, err
}

// Hangup ends the session with DELETE on its URL and returns the status.
func (c *Caller) Hangup(ctx context.Context) (int, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodDelete, c.SessionURL(), nil)
	if c.opts.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.opts.Token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
