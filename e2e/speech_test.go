package e2e

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// speechWAV writes a 16-bit mono 48 kHz WAV of speech-like bursts (a
// gliding, amplitude-modulated tone for 700 ms, then 1.3 s of silence) for
// Chromium's --use-file-for-fake-audio-capture, which loops it: the media
// core's VAD hears an utterance every 2 s, so each call reaches the STT.
func speechWAV(t *testing.T) string {
	t.Helper()
	const rate, seconds = 48000, 2
	n := rate * seconds
	pcm := make([]byte, 2*n)
	phase := 0.0
	for i := range n {
		ts := float64(i) / rate
		v := 0.0
		if ts < 0.7 {
			f := 180 + 120*math.Sin(2*math.Pi*3*ts) // a gliding pitch, like a voice
			phase += 2 * math.Pi * f / rate
			env := 0.6 + 0.4*math.Sin(2*math.Pi*5*ts) // syllables
			v = 0.5 * env * (math.Sin(phase) + 0.5*math.Sin(2*phase) + 0.25*math.Sin(3*phase)) / 1.75
		}
		binary.LittleEndian.PutUint16(pcm[2*i:], uint16(int16(v*32767)))
	}
	hdr := make([]byte, 44)
	copy(hdr[0:], "RIFF")
	binary.LittleEndian.PutUint32(hdr[4:], uint32(36+len(pcm)))
	copy(hdr[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(hdr[16:], 16)
	binary.LittleEndian.PutUint16(hdr[20:], 1) // PCM
	binary.LittleEndian.PutUint16(hdr[22:], 1) // mono
	binary.LittleEndian.PutUint32(hdr[24:], rate)
	binary.LittleEndian.PutUint32(hdr[28:], rate*2)
	binary.LittleEndian.PutUint16(hdr[32:], 2)
	binary.LittleEndian.PutUint16(hdr[34:], 16)
	copy(hdr[36:], "data")
	binary.LittleEndian.PutUint32(hdr[40:], uint32(len(pcm)))
	p := filepath.Join(t.TempDir(), "speech.wav")
	if err := os.WriteFile(p, append(hdr, pcm...), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
