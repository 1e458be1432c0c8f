package voice

import (
	"context"
	"fmt"
	"io"
	"net/http"
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

// testCaller is a pion WHIP client for tests: it sends audio and counts what
// comes back.
type testCaller struct {
	pc       *webrtc.PeerConnection
	track    *webrtc.TrackLocalStaticRTP
	codec    Codec
	location string
	base     string
	token    string

	connected chan struct{}
	gotAudio  chan struct{}
	received  atomic.Int64
	once      sync.Once
	seq       uint16
	header    map[string]string
}

type callerOpts struct {
	codec      Codec
	net        transport.Net
	iceServers []webrtc.ICEServer
	relayOnly  bool
	token      string
	header     map[string]string // extra request headers on POST
	alsoPCMU   bool              // offer PCMU after the main codec
}

func newTestCaller(t testing.TB, base string, o callerOpts) *testCaller {
	t.Helper()
	if o.codec == "" {
		o.codec = CodecPCMU
	}
	m := &webrtc.MediaEngine{}
	codec := pcmuCodec
	if o.codec == CodecOpus {
		codec = opusCodec
	}
	if err := m.RegisterCodec(codec, webrtc.RTPCodecTypeAudio); err != nil {
		t.Fatal(err)
	}
	if o.alsoPCMU && o.codec != CodecPCMU {
		if err := m.RegisterCodec(pcmuCodec, webrtc.RTPCodecTypeAudio); err != nil {
			t.Fatal(err)
		}
	}
	se := webrtc.SettingEngine{}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetRelayAcceptanceMinWait(0)
	if o.net != nil {
		se.SetNet(o.net)
	} else {
		se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
		se.SetIncludeLoopbackCandidate(true)
	}
	api := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(se))
	cfg := webrtc.Configuration{ICEServers: o.iceServers}
	if o.relayOnly {
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
	c := &testCaller{pc: pc, track: track, codec: o.codec, base: base, token: o.token, header: o.header,
		connected: make(chan struct{}), gotAudio: make(chan struct{})}
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			select {
			case <-c.connected:
			default:
				close(c.connected)
			}
		}
	})
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		buf := make([]byte, 1500)
		for {
			if _, _, err := tr.Read(buf); err != nil {
				return
			}
			c.received.Add(1)
			c.once.Do(func() { close(c.gotAudio) })
		}
	})
	t.Cleanup(func() { _ = pc.Close() })
	return c
}

// call posts the offer (after full gathering) and applies the answer.
func (c *testCaller) call(ctx context.Context) (*http.Response, error) {
	offer, err := c.pc.CreateOffer(nil)
	if err != nil {
		return nil, err
	}
	done := webrtc.GatheringCompletePromise(c.pc)
	if err := c.pc.SetLocalDescription(offer); err != nil {
		return nil, err
	}
	<-done
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/whip", strings.NewReader(c.pc.LocalDescription().SDP))
	req.Header.Set("Content-Type", "application/sdp")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range c.header {
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
	c.location = resp.Header.Get("Location")
	return resp, c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: string(body)})
}

// speak sends d of loud audio then d2 of silence, paced in real time.
func (c *testCaller) speak(ctx context.Context, speech, silence time.Duration) error {
	var loud, quiet []byte
	ts := uint32(0)
	step := uint32(160)
	if c.codec == CodecPCMU {
		loud, quiet = audio.ToneULaw(300, 0.3, 20), audio.SilenceULaw(20)
	} else {
		p, err := loadPrompt("greeting")
		if err != nil {
			return err
		}
		quiet, step = []byte{0xf8, 0xff, 0xfe}, 960
		loud = p.opus[len(p.opus)/3].Payload
	}
	send := func(payload []byte, d time.Duration) error {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for range int(d / (20 * time.Millisecond)) {
			pkt := &rtp.Packet{Header: rtp.Header{Version: 2, Timestamp: ts, SequenceNumber: c.seq}, Payload: payload}
			ts += step
			c.seq++
			if err := c.track.WriteRTP(pkt); err != nil {
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-tick.C:
			}
		}
		return nil
	}
	if err := send(loud, speech); err != nil {
		return err
	}
	return send(quiet, silence)
}

func (c *testCaller) hangup(ctx context.Context) (int, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodDelete, c.base+c.location, nil)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func waitFor(t testing.TB, what string, ch <-chan struct{}, d time.Duration) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(d):
		t.Fatalf("timed out after %s waiting for %s", d, what)
	}
}
