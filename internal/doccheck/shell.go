package doccheck

import (
	"regexp"
	"strings"
)

var envAssign = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// Commands splits a shell line into simple commands, each as its words:
// a leading "$ " prompt, a trailing "# comment", "VAR=value" prefixes and
// "sudo" are dropped; |, ||, &&, ; and & separate commands; single and
// double quotes group words (their content is kept unexpanded).
func Commands(line string) [][]string {
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(line, "$ ")
	var cmds [][]string
	var words []string
	var w strings.Builder
	inWord := false
	flushWord := func() {
		if inWord {
			words = append(words, w.String())
			w.Reset()
			inWord = false
		}
	}
	flushCmd := func() {
		flushWord()
		for len(words) > 0 && (envAssign.MatchString(words[0]) || words[0] == "sudo" || words[0] == "exec") {
			words = words[1:]
		}
		if len(words) > 0 {
			cmds = append(cmds, words)
		}
		words = nil
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(line[i+1:], c)
			if end < 0 {
				end = len(line) - i - 1
			}
			w.WriteString(line[i+1 : i+1+end])
			inWord = true
			i += end + 1
		case c == '\\' && i+1 < len(line):
			w.WriteByte(line[i+1])
			inWord = true
			i++
		case c == '#' && !inWord:
			flushCmd()
			return cmds
		case c == '|' || c == ';' || c == '&':
			flushCmd()
		case c == ' ' || c == '\t':
			flushWord()
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	flushCmd()
	return cmds
}
