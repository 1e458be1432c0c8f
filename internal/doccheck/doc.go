// Package doccheck reads the Markdown of README.md, docs/*.md and
// docs/runbooks/*.md and returns what they mention: inline code spans,
// lines of fenced code blocks and link targets, each with its line. Its
// test checks every mention against the code: config keys through the real
// config loaders, HTTP paths against a running media core and sidecar,
// `agent` and `probe` commands and their flags through the binaries'
// --help, metric and alert names against their Go constants, and links
// against the files of the repository.
//
// What a document marks is what gets checked: write a config key, a path,
// a metric, an alert or a command in backticks (or in a ```sh block), and
// write config keys as YAML keys (ice.udp_port_min), never as Go field
// names (UDPPortMin).
package doccheck
