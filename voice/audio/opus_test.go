package audio

import (
	"testing"
	"time"
)

func TestOpusDuration(t *testing.T) {
	tests := []struct {
		name string
		pkt  []byte
		want time.Duration
	}{
		{"empty (DTX)", nil, 0},
		{"SILK 20 ms", []byte{1 << 3}, 20 * time.Millisecond},
		{"SILK 60 ms", []byte{3 << 3}, 60 * time.Millisecond},
		{"hybrid 20 ms", []byte{15 << 3}, 20 * time.Millisecond},
		{"CELT 2.5 ms", []byte{16 << 3}, 2500 * time.Microsecond},
		{"CELT 10 ms, two frames", []byte{30<<3 | 1}, 20 * time.Millisecond},
		{"CELT 20 ms, code 3 × 3", []byte{31<<3 | 3, 3}, 60 * time.Millisecond},
		{"code 3 without its count byte", []byte{31<<3 | 3}, 20 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OpusDuration(tt.pkt); got != tt.want {
				t.Errorf("OpusDuration = %v, want %v", got, tt.want)
			}
		})
	}
}
