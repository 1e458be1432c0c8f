package httpguard

import "unsafe"

// unsafeString views b as a string without copying, as a log tailer that
// classifies lines in place would.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
