// Package tail follows log files like `tail -F`: across rotation by rename and
// create, and across truncation (copytruncate), without losing or repeating a
// line, and reads line streams such as stdin. It polls (the interval is
// configurable), holds partial last lines until their newline, and bounds
// line length: over-long lines are counted and skipped, never buffered whole.
package tail
