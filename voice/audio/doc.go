// Package audio holds the media core's small, allocation-free audio helpers:
// G.711 μ-law (PCMU) coding, the RFC 6464 client-to-mixer audio level, an
// energy voice activity detector and a tone generator for prompts.
package audio
