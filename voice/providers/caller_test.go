package providers

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
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
	"github.com/pion/webrtc/v4"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/voicewatch/voicewatch/voice/audio"
)

// Test helpers adapted from package voice's client_test.go and
// server_test.go (package-internal there).

var pcmuCodec = webrtc.RTPCodecParameters{
	RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1},
	PayloadType:        0,
}

// caller is a pion WHIP client sending PCMU and timing what comes back.
type caller struct {
	pc       *webrtc.PeerConnection
	track    *webrtc.TrackLocalStaticRTP
	base     string
	location string
	seq      uint16
	ts       uint32

	connected chan struct{}
	received  atomic.Int64
	mu        sync.Mutex
	arrivals  []time.Time // arrival time of every packet
}

func newCaller(t testing.TB, base string) *caller {
	t.Helper()
	m := &webrtc.MediaEngine{}
	if err := m.RegisterCodec(pcmuCodec, webrtc.RTPCodecTypeAudio); err != nil {
		t.Fatal(err)
	}
	se := webrtc.SettingEngine{}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	se.SetIncludeLoopbackCandidate(true)
	api := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(se))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	track, err := webrtc.NewTrackLocalStaticRTP(pcmuCodec.RTPCodecCapability, "audio", "caller")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.AddTrack(track); err != nil {
		t.Fatal(err)
	}
	c := &caller{pc: pc, track: track, base: base, connected: make(chan struct{})}
	var once sync.Once
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			once.Do(func() { close(c.connected) })
		}
	})
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
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
		}
	})
	t.Cleanup(func() { _ = pc.Close() })
	return c
}

func (c *caller) call(ctx context.Context) error {
	offer, err := c.pc.CreateOffer(nil)
	if err != nil {
		return err
	}
	done := webrtc.GatheringCompletePromise(c.pc)
	if err := c.pc.SetLocalDescription(offer); err != nil {
		return err
	}
	<-done
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/whip", strings.NewReader(c.pc.LocalDescription().SDP))
	req.Header.Set("Content-Type", "application/sdp")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST /whip: %s: %s", resp.Status, body)
	}
	c.location = resp.Header.Get("Location")
	return c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: string(body)})
}

// speak sends speech of loud tone then silence, paced in real time, and
// returns when the last loud packet was sent.
func (c *caller) speak(ctx context.Context, speech, silence time.Duration) (lastLoud time.Time, err error) {
	loud, quiet := audio.ToneULaw(300, 0.3, 20), audio.SilenceULaw(20)
	send := func(payload []byte, d time.Duration, isLoud bool) error {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for range int(d / (20 * time.Millisecond)) {
			pkt := &rtp.Packet{Header: rtp.Header{Version: 2, Timestamp: c.ts, SequenceNumber: c.seq}, Payload: payload}
			c.ts += 160
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

// firstArrivalAfter returns the first packet arrival after t.
func (c *caller) firstArrivalAfter(t time.Time) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, a := range c.arrivals {
		if a.After(t) {
			return a, true
		}
	}
	return time.Time{}, false
}

func (c *caller) hangup(ctx context.Context) (int, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodDelete, c.base+c.location, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// find returns the JSON log lines of event whose fields include match.
func (s *syncBuffer) find(event string, match map[string]any) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(s.b.Bytes()))
next:
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) != nil || m["event"] != event {
			continue
		}
		for k, v := range match {
			if m[k] != v {
				continue next
			}
		}
		out = append(out, m)
	}
	return out
}

// metric sums the series of name whose labels include the pairs given;
// histograms count observations.
func metric(t testing.TB, g prometheus.Gatherer, name string, labels ...string) float64 {
	t.Helper()
	var sum float64
	for _, m := range series(t, g, name, labels...) {
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum
}

func series(t testing.TB, g prometheus.Gatherer, name string, labels ...string) []*dto.Metric {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []*dto.Metric
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metric:
		for _, m := range mf.Metric {
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, l := range m.Label {
					if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
						found = true
					}
				}
				if !found {
					continue metric
				}
			}
			out = append(out, m)
		}
	}
	return out
}

// eventually polls cond until it holds or d passes.
func eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func waitFor(t testing.TB, what string, ch <-chan struct{}, d time.Duration) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(d):
		t.Fatalf("timed out after %s waiting for %s", d, what)
	}
}
