package voice

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pion/sdp/v3"
)

// ICE credential lengths (RFC 8839 §5.4): ice-ufrag is 4 to 256 ice-chars,
// ice-pwd 22 to 256.
const (
	minUfrag, maxUfrag = 4, 256
	minPwd, maxPwd     = 22, 256
)

// fingerprintLen is the digest length of every DTLS fingerprint hash we
// accept; WebRTC requires SHA-256 or stronger (RFC 8827 §6.5), so MD5 and
// SHA-1 are refused.
var fingerprintLen = map[string]int{"sha-256": 32, "sha-384": 48, "sha-512": 64}

// checkOffer validates everything in an offer that the PeerConnection would
// otherwise reject only after a session exists (ICE credentials, the DTLS
// fingerprint, extmap lines, control bytes, candidates), so a malformed
// offer is a 400 without a session and moves no SLO. It returns the offer
// with the remote candidates that must not be contacted removed (see
// candidateAllowed) and the number of candidates kept; more than
// ice.max_remote_candidates is an error.
func checkOffer(raw string, cfg ICEConfig) (string, int, error) {
	if i := strings.IndexFunc(raw, badSDPRune); i >= 0 {
		return "", 0, fmt.Errorf("%w: control byte 0x%02x at offset %d", ErrBadSDP, raw[i], i)
	}
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(raw); err != nil {
		return "", 0, fmt.Errorf("%w: %v", ErrBadSDP, err)
	}
	sessUfrag, _ := sd.Attribute("ice-ufrag")
	sessPwd, _ := sd.Attribute("ice-pwd")
	sessFP, _ := sd.Attribute("fingerprint")
	if err := checkExtmaps(sd.Attributes); err != nil {
		return "", 0, err
	}
	audio := false
	for i, md := range sd.MediaDescriptions {
		ufrag, ok := md.Attribute("ice-ufrag")
		if !ok {
			ufrag = sessUfrag
		}
		pwd, ok := md.Attribute("ice-pwd")
		if !ok {
			pwd = sessPwd
		}
		fp, ok := md.Attribute("fingerprint")
		if !ok {
			fp = sessFP
		}
		if md.MediaName.Port.Value == 0 { // a rejected section carries nothing we use
			continue
		}
		if md.MediaName.Media == "audio" {
			audio = true
		}
		if mid, ok := md.Attribute("mid"); !ok || mid == "" {
			return "", 0, fmt.Errorf("%w: media section %d has no a=mid (RFC 8843 bundling needs one)", ErrBadSDP, i)
		}
		if err := checkICECredentials(ufrag, pwd); err != nil {
			return "", 0, fmt.Errorf("media section %d: %w", i, err)
		}
		if err := checkFingerprint(fp); err != nil {
			return "", 0, fmt.Errorf("media section %d: %w", i, err)
		}
		if err := checkExtmaps(md.Attributes); err != nil {
			return "", 0, fmt.Errorf("media section %d: %w", i, err)
		}
	}
	if !audio {
		return "", 0, ErrNoAudio
	}
	return filterOfferCandidates(raw, cfg)
}

// badSDPRune reports bytes that have no place in SDP text: NUL and other
// control bytes except tab, CR and LF.
func badSDPRune(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\r' && r != '\n') || r == 0x7f
}

// checkICECredentials validates ice-ufrag and ice-pwd against RFC 8839;
// both are required.
func checkICECredentials(ufrag, pwd string) error {
	if ufrag == "" || pwd == "" {
		return fmt.Errorf("%w: %w", ErrBadSDP, ErrICECredentials)
	}
	return checkICEFields(ufrag, pwd)
}

// checkICEFields validates whichever of ice-ufrag and ice-pwd is present
// (a trickle fragment may name only its generation's ufrag).
func checkICEFields(ufrag, pwd string) error {
	switch {
	case ufrag != "" && (len(ufrag) < minUfrag || len(ufrag) > maxUfrag || !iceChars(ufrag)):
		return fmt.Errorf("%w: ice-ufrag must be %d to %d characters of [A-Za-z0-9+/], got %d", ErrICECredentials, minUfrag, maxUfrag, len(ufrag))
	case pwd != "" && (len(pwd) < minPwd || len(pwd) > maxPwd || !iceChars(pwd)):
		return fmt.Errorf("%w: ice-pwd must be %d to %d characters of [A-Za-z0-9+/], got %d", ErrICECredentials, minPwd, maxPwd, len(pwd))
	}
	return nil
}

// iceChars reports whether s is all ice-char (RFC 8839: ALPHA / DIGIT /
// "+" / "/").
func iceChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}

// checkFingerprint validates a=fingerprint: a hash we accept and a digest
// of its length as colon-separated hex pairs (RFC 8122 §5).
func checkFingerprint(fp string) error {
	if fp == "" {
		return fmt.Errorf("%w: no a=fingerprint (DTLS needs one)", ErrBadFingerprint)
	}
	parts := strings.Split(fp, " ")
	if len(parts) != 2 {
		return fmt.Errorf("%w: want \"a=fingerprint:<hash> <digest>\" with one space", ErrBadFingerprint)
	}
	hash, value := parts[0], parts[1]
	want, known := fingerprintLen[strings.ToLower(hash)]
	if !known {
		return fmt.Errorf("%w: hash %.16q is not sha-256, sha-384 or sha-512", ErrBadFingerprint, hash)
	}
	digest, err := hex.DecodeString(strings.ReplaceAll(value, ":", ""))
	if err != nil || len(digest) != want || len(value) != 3*want-1 {
		return fmt.Errorf("%w: %s digest must be %d colon-separated hex bytes", ErrBadFingerprint, hash, want)
	}
	return nil
}

// checkExtmaps parses every a=extmap line the way the PeerConnection will.
func checkExtmaps(attrs []sdp.Attribute) error {
	for _, a := range attrs {
		if a.Key != "extmap" {
			continue
		}
		var e sdp.ExtMap
		if err := e.Unmarshal("extmap:" + a.Value); err != nil {
			return fmt.Errorf("%w: bad a=extmap: %v", ErrBadSDP, err)
		}
	}
	return nil
}
