package voice

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/stats"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/voicewatch/voicewatch/voice/audio"
	"github.com/voicewatch/voicewatch/voice/voicetest"
)

// BenchmarkCallSetup measures WHIP POST → PeerConnection connected against
// the media core on loopback. Compare with BenchmarkRawPionPair in the same
// run (target ratio ≤ 1.5).
func BenchmarkCallSetup(b *testing.B) {
	cfg := loopbackConfig(b)
	cfg.HTTP.RatePerSecond, cfg.HTTP.Burst = 1e4, 1e4 // one client places every call
	ts := startServer(b, cfg)
	var samples []time.Duration
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c := voicetest.NewCaller(b, ts.base, voicetest.CallerOptions{})
		start := time.Now()
		if _, err := c.Call(ctx); err != nil {
			b.Fatal(err)
		}
		<-c.Connected()
		samples = append(samples, time.Since(start))
		b.StopTimer()
		_, _ = c.Hangup(ctx)
		_ = c.PC.Close()
		cancel()
		b.StartTimer()
	}
	reportMedian(b, samples)
}

// BenchmarkRawPionPair is the baseline: a pion offerer and answerer with the
// same loopback settings exchanging SDP in process.
func BenchmarkRawPionPair(b *testing.B) {
	newPC := func() *webrtc.PeerConnection {
		m := &webrtc.MediaEngine{}
		if err := m.RegisterCodec(pcmuCodec, webrtc.RTPCodecTypeAudio); err != nil {
			b.Fatal(err)
		}
		se := webrtc.SettingEngine{}
		se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
		se.SetInterfaceFilter(func(n string) bool { return n == "lo" })
		se.SetIncludeLoopbackCandidate(true)
		pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(se)).NewPeerConnection(webrtc.Configuration{})
		if err != nil {
			b.Fatal(err)
		}
		tr, _ := webrtc.NewTrackLocalStaticRTP(pcmuCodec.RTPCodecCapability, "a", "b")
		if _, err := pc.AddTrack(tr); err != nil {
			b.Fatal(err)
		}
		return pc
	}
	var samples []time.Duration
	for b.Loop() {
		off, ans := newPC(), newPC()
		connected := make(chan struct{})
		off.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
			if s == webrtc.PeerConnectionStateConnected {
				close(connected)
			}
		})
		start := time.Now()
		o, _ := off.CreateOffer(nil)
		g := webrtc.GatheringCompletePromise(off)
		_ = off.SetLocalDescription(o)
		<-g
		_ = ans.SetRemoteDescription(*off.LocalDescription())
		a, _ := ans.CreateAnswer(nil)
		g2 := webrtc.GatheringCompletePromise(ans)
		_ = ans.SetLocalDescription(a)
		<-g2
		_ = off.SetRemoteDescription(*ans.LocalDescription())
		<-connected
		samples = append(samples, time.Since(start))
		b.StopTimer()
		_ = off.Close()
		_ = ans.Close()
		b.StartTimer()
	}
	reportMedian(b, samples)
}

func reportMedian(b *testing.B, s []time.Duration) {
	if len(s) == 0 {
		return
	}
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	b.ReportMetric(float64(s[len(s)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(s[len(s)*95/100].Microseconds())/1000, "p95-ms")
}

// BenchmarkInboundPacket is the media core's per-RTP-packet cost: parse,
// count, level, VAD, and (while speaking) hand the chunk to STT. Target: 0
// allocations.
func BenchmarkInboundPacket(b *testing.B) { benchInbound(b, false) }

// BenchmarkInboundPacketWithQuality is BenchmarkInboundPacket plus what
// media quality adds per packet (the session's received count for the loss
// ratio; loss and jitter themselves come from pion's receiver reports,
// which were already on). Run it with BenchmarkInboundPacket: the
// difference is the added ns/packet.
func BenchmarkInboundPacketWithQuality(b *testing.B) { benchInbound(b, true) }

// benchInbound runs the inbound packet path on a PCMU packet (energy
// level) and an Opus packet with the audio level extension; with quality,
// through packet (the session's received count) instead of handle.
func benchInbound(b *testing.B, quality bool) {
	for _, tc := range []struct {
		name    string
		codec   Codec
		payload []byte
		ext     bool
	}{
		{"pcmu-energy", CodecPCMU, audio.ToneULaw(300, 0.3, 20), false},
		{"opus-audio-level-ext", CodecOpus, make([]byte, 80), true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			m := newMetrics(promRegistry())
			in := &inbound{codec: tc.codec, vad: audio.NewVAD(audio.VADConfig{}), vadThresholdValue: 50,
				stt: nopSTT{}, m: m, sig: newSpeechSignals(), now: time.Now}
			if quality {
				in.received = &newQuality(m, tc.codec).received
			}
			pkt := rtpPacket(tc.payload, tc.ext)
			if tc.ext {
				in.levelExtID = 1
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(pkt)))
			if quality {
				for b.Loop() {
					in.packet(pkt)
				}
				return
			}
			for b.Loop() {
				_ = in.handle(pkt)
			}
		})
	}
}

// BenchmarkStatsInterceptorPacket is the road not taken: pion's stats
// interceptor (pkg/stats) on the same packets, which the media core would
// pay on top of BenchmarkInboundPacket had it used GetStats-style RTP
// statistics instead of the RTCP reports.
func BenchmarkStatsInterceptorPacket(b *testing.B) {
	for _, tc := range []struct {
		name string
		ext  bool
	}{{"pcmu-energy", false}, {"opus-audio-level-ext", true}} {
		b.Run(tc.name, func(b *testing.B) {
			f, err := stats.NewInterceptor()
			if err != nil {
				b.Fatal(err)
			}
			i, err := f.NewInterceptor("bench")
			if err != nil {
				b.Fatal(err)
			}
			defer func() { _ = i.Close() }()
			pkt := rtpPacket(make([]byte, 160), tc.ext)
			src := interceptor.RTPReaderFunc(func(buf []byte, a interceptor.Attributes) (int, interceptor.Attributes, error) {
				return copy(buf, pkt), a, nil
			})
			r := i.BindRemoteStream(&interceptor.StreamInfo{SSRC: 42, ClockRate: 8000}, src)
			buf := make([]byte, 1500)
			b.ReportAllocs()
			b.SetBytes(int64(len(pkt)))
			for b.Loop() {
				if _, _, err := r.Read(buf, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type nopSTT struct{}

func (nopSTT) Write(Chunk) error          { return nil }
func (nopSTT) EndOfSpeech() error         { return nil }
func (nopSTT) Results() <-chan Transcript { return nil }
func (nopSTT) Close() error               { return nil }

func promRegistry() *prometheus.Registry { return prometheus.NewRegistry() }

func rtpPacket(payload []byte, levelExt bool) []byte {
	p := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: 1, Timestamp: 160, SSRC: 42}, Payload: payload}
	if levelExt {
		_ = p.Header.SetExtension(1, []byte{0x80 | 30})
	}
	b, err := p.Marshal()
	if err != nil {
		panic(err)
	}
	return b
}
