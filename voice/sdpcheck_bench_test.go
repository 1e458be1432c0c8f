package voice

import "testing"

// BenchmarkCheckOffer is the full offer validation every POST /whip now
// pays before a session exists (sdpcheck.go, candidates.go); compare with
// BenchmarkParseOffer, the parse it already paid, in the same run.
func BenchmarkCheckOffer(b *testing.B) {
	offer := realOffer(b)
	cfg := Config{}.WithDefaults().ICE
	for b.Loop() {
		if _, _, err := checkOffer(offer, cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseOffer is the baseline of BenchmarkCheckOffer: the codec
// and ICE parse of the same offer.
func BenchmarkParseOffer(b *testing.B) {
	offer := realOffer(b)
	for b.Loop() {
		if _, err := parseOffer(offer, nil); err != nil {
			b.Fatal(err)
		}
	}
}
