// Package emodel estimates the listening-and-conversational quality of a
// voice call as a mean opinion score (MOS) with the E-model of ITU-T
// Recommendation G.107 (06/2015), "The E-model: a computational model for
// use in transmission planning".
//
// The E-model sums impairments on a 0–100 transmission rating scale R:
//
//	R = Ro − Is − Id − Ie,eff + A            (G.107 §7.1, eq. 7-1)
//
// and maps R to an estimated MOS (G.107 Annex B, eq. B-4). This package
// evaluates it from what a WebRTC endpoint can measure (RTCP loss, jitter
// and round-trip time) with these simplifications, all from the
// recommendation's own defaults:
//
//   - Ro − Is is taken at the default parameter values of G.107 Table 3
//     (93.2): the send/receive loudness ratings, room noise and sidetone of
//     the two handsets are unknown to a media server.
//   - Id is the absolute-delay term Idd only (G.107 §7.4, eq. 7-27/7-28).
//     The talker- and listener-echo terms Idte and Idle are left out:
//     browsers run acoustic echo cancellation, so echo is treated as
//     perfectly cancelled (TELR → ∞).
//   - The one-way mouth-to-ear delay Ta is estimated as half the RTCP
//     round-trip time plus a jitter buffer of twice the interarrival jitter
//     plus one 20 ms packet.
//   - Ie,eff uses the codec's equipment impairment Ie and packet-loss
//     robustness Bpl (ITU-T G.113 Appendix I) with random loss (BurstR = 1,
//     eq. 7-29). G.711 with packet loss concealment: Ie = 0, Bpl = 25.1.
//     Opus is not in G.113's tables; it is treated like G.711 with PLC,
//     which understates its robustness (its in-band FEC is ignored).
//   - The advantage factor A is 0 (a wired-equivalent call).
//
// With no impairments the estimate is R = 93.2, MOS ≈ 4.41: a clean
// loopback call scores there, not at 5.
package emodel

import (
	"math"
	"time"
)

// Default parameter values (G.107 Table 3 and G.113 Appendix I).
const (
	// RoMinusIs is Ro − Is at the default values of G.107 Table 3.
	RoMinusIs = 93.2
	// G711Ie and G711Bpl are G.711's equipment impairment and packet-loss
	// robustness with packet loss concealment (G.113 Appendix I).
	G711Ie  = 0
	G711Bpl = 25.1
)

// Input is what was measured on a call.
type Input struct {
	// Loss is the packet loss ratio, 0..1.
	Loss float64
	// Jitter is the mean RTP interarrival jitter (RFC 3550 §6.4.1).
	Jitter time.Duration
	// RTT is the mean RTCP round-trip time (RFC 3550 §6.4.1, LSR/DLSR).
	RTT time.Duration
	// Ie and Bpl describe the codec; zero Bpl means G.711 with PLC.
	Ie, Bpl float64
}

// MouthToEar is the one-way delay Ta the model uses: RTT/2, a jitter
// buffer of twice the jitter, and one 20 ms packet.
func MouthToEar(in Input) time.Duration {
	return in.RTT/2 + 2*in.Jitter + 20*time.Millisecond
}

// R is the transmission rating factor of G.107 eq. 7-1 under the
// simplifications of the package documentation.
func R(in Input) float64 {
	bpl := in.Bpl
	if bpl == 0 {
		bpl = G711Bpl
	}
	return RoMinusIs - Idd(MouthToEar(in)) - IeEff(in.Ie, bpl, in.Loss*100) // A = 0
}

// Idd is the impairment of absolute delay Ta (G.107 eq. 7-27 and 7-28,
// with the default mT = 100 ms and sT = 1).
func Idd(ta time.Duration) float64 {
	ms := float64(ta) / float64(time.Millisecond)
	if ms <= 100 {
		return 0
	}
	x := math.Log10(ms/100) / math.Log10(2)
	return 25 * (math.Pow(1+math.Pow(x, 6), 1.0/6) - 3*math.Pow(1+math.Pow(x/3, 6), 1.0/6) + 2)
}

// IeEff is the effective equipment impairment with random packet loss of
// ppl percent (G.107 eq. 7-29 with BurstR = 1).
func IeEff(ie, bpl, ppl float64) float64 {
	if ppl < 0 {
		ppl = 0
	}
	return ie + (95-ie)*ppl/(ppl+bpl)
}

// MOSFromR maps a rating factor to an estimated MOS (G.107 Annex B,
// eq. B-4): 1 below R = 0, 4.5 above R = 100.
func MOSFromR(r float64) float64 {
	switch {
	case r <= 0:
		return 1
	case r >= 100:
		return 4.5
	}
	return 1 + 0.035*r + r*(r-60)*(100-r)*7e-6
}

// MOS is the estimated mean opinion score of a call.
func MOS(in Input) float64 { return MOSFromR(R(in)) }
