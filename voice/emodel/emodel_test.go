package emodel

import (
	"math"
	"testing"
	"time"
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.3f, want %.3f ± %.3f", what, got, want, tol)
	}
}

// The reference points are G.107's: R = 93.2 with default values maps to
// MOS 4.41 (Annex B, Figure B.1); R = 50 is the "nearly all users
// dissatisfied" boundary at MOS 2.58 (Table B.1).
func TestMOSFromRReferencePoints(t *testing.T) {
	for _, tc := range []struct{ r, mos float64 }{{93.2, 4.41}, {90, 4.34}, {80, 4.03}, {70, 3.60}, {60, 3.10}, {50, 2.58}, {0, 1}, {-5, 1}, {100, 4.5}, {120, 4.5}} {
		near(t, "MOS(R)", MOSFromR(tc.r), tc.mos, 0.01)
	}
}

func TestIddIsZeroUpTo100msAndGrows(t *testing.T) {
	near(t, "Idd(100ms)", Idd(100*time.Millisecond), 0, 1e-9)
	near(t, "Idd(200ms)", Idd(200*time.Millisecond), 3.05, 0.01) // eq. 7-28 with X = 1
	prev := 0.0
	for _, ms := range []int{150, 200, 300, 400, 600} {
		v := Idd(time.Duration(ms) * time.Millisecond)
		if v <= prev {
			t.Errorf("Idd(%dms) = %.2f, not above Idd at the shorter delay (%.2f)", ms, v, prev)
		}
		prev = v
	}
}

func TestIeEffG711(t *testing.T) {
	near(t, "IeEff(0 %)", IeEff(G711Ie, G711Bpl, 0), 0, 1e-9)
	near(t, "IeEff(5 %)", IeEff(G711Ie, G711Bpl, 5), 15.78, 0.01)
	near(t, "IeEff(15 %)", IeEff(G711Ie, G711Bpl, 15), 35.54, 0.01)
}

// The ranges the vnet lab asserts come from here.
func TestMOSOfTypicalCalls(t *testing.T) {
	clean := MOS(Input{})
	near(t, "clean", clean, 4.41, 0.01)
	lossy5 := MOS(Input{Loss: 0.05, Jitter: 2 * time.Millisecond, RTT: 20 * time.Millisecond})
	near(t, "5 % loss", lossy5, 3.92, 0.02)
	lossy15 := MOS(Input{Loss: 0.15, Jitter: 2 * time.Millisecond, RTT: 20 * time.Millisecond})
	near(t, "15 % loss", lossy15, 2.98, 0.02)
	far := MOS(Input{RTT: 300 * time.Millisecond})
	if far >= clean || far < 4.0 {
		t.Errorf("300 ms RTT: MOS %.2f, want a little below the clean %.2f and ≥ 4.0", far, clean)
	}
	slow := MOS(Input{RTT: 1200 * time.Millisecond})
	if slow > 3.6 {
		t.Errorf("1.2 s RTT: MOS %.2f, want ≤ 3.6 (delay dominates)", slow)
	}
}
