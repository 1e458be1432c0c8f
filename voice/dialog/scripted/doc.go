// Package scripted is a form-filling dialog driven by a YAML script: it
// greets, asks for each slot in turn, reads the value from the transcript
// (text, number, yes/no, a choice or a pattern), re-asks when the answer
// does not fit, confirms the whole form and hangs up when done — enough to
// run a real conversation through the STT and TTS providers, like the
// incident's bot that filled a form by voice.
package scripted
