package transcribe

import (
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4/pkg/media/oggwriter"
)

// Ogg Opus (RFC 7845) without decoding: each Opus RTP payload (RFC 7587)
// is one Opus packet, so it becomes one packet of an Ogg logical stream
// (RFC 3533) after the OpusHead and OpusTags header packets. pion's
// oggwriter writes the pages, one per packet (so audio leaves as soon as it
// arrives), with the 3840-sample (80 ms) pre-skip RFC 7845 §4.2 recommends
// when decoding starts mid-stream, which is what an utterance cut from a
// running call is.

// oggSSRC is the SSRC of the one track: oggwriter files packets by SSRC.
const oggSSRC = 1

// oggOpus wraps one utterance's Opus packets in an Ogg Opus stream,
// appending the pages to a caller's buffer.
type oggOpus struct {
	serial uint32 // the Ogg stream's serial number
	out    appendWriter
	w      *oggwriter.Writer
	track  *oggwriter.Track
	err    error // the writer could not be built (never for these options)
}

// appendWriter appends what is written to buf.
type appendWriter struct{ buf []byte }

func (a *appendWriter) Write(p []byte) (int, error) {
	a.buf = append(a.buf, p...)
	return len(p), nil
}

// packet appends the pages of one Opus packet to dst, the stream's header
// pages first. Empty payloads (DTX gaps) and packets oggwriter refuses as
// malformed are skipped: Transcribe would reject the whole stream for them.
func (o *oggOpus) packet(dst, pkt []byte) []byte {
	if o.w == nil && o.err == nil {
		o.w, o.err = oggwriter.NewWriter(&o.out, oggwriter.WithChannelCount(1), oggwriter.WithVendor("voicewatch"))
		if o.err == nil {
			o.track, o.err = o.w.NewTrack(oggSSRC, oggwriter.WithSerial(o.serial))
		}
	}
	if o.err != nil || len(pkt) == 0 {
		return dst
	}
	o.out.buf = dst
	_ = o.track.WriteRTP(&rtp.Packet{Header: rtp.Header{SSRC: oggSSRC}, Payload: pkt})
	dst, o.out.buf = o.out.buf, nil
	return dst
}

// end appends the end-of-stream page (it carries no packet) when the
// stream was started.
func (o *oggOpus) end(dst []byte) []byte {
	if o.w == nil || o.err != nil {
		return dst
	}
	o.out.buf = dst
	_ = o.w.Close()
	dst, o.out.buf = o.out.buf, nil
	o.w, o.track = nil, nil
	return dst
}
