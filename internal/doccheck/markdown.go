package doccheck

import (
	"regexp"
	"strings"
	"unicode"
)

// Kind says where a mention was found.
type Kind int

// Kinds of mention.
const (
	// Span is an inline code span (`...`), outside code blocks.
	Span Kind = iota
	// CodeLine is one logical line of a fenced code block; lines continued
	// with a trailing backslash are joined.
	CodeLine
	// Link is the target of a Markdown link [text](target).
	Link
	// Block is a whole fenced code block (its lines are also CodeLines).
	Block
)

func (k Kind) String() string {
	switch k {
	case Span:
		return "span"
	case CodeLine:
		return "code"
	case Block:
		return "block"
	default:
		return "link"
	}
}

// Mention is one thing a document names.
type Mention struct {
	Kind Kind
	// Text is the span's content, the code line or the link target.
	Text string
	// Line is the 1-based line it starts on.
	Line int
	// Lang is the info string of the fenced block of a CodeLine ("sh",
	// "yaml", ...; "" when none).
	Lang string
	// KeyColumn is true for a span in the first column of a table whose
	// first header cell is "key" (a table of config keys).
	KeyColumn bool
}

// Doc is what one Markdown document mentions.
type Doc struct {
	Mentions []Mention
	// Anchors are the GitHub anchors of the document's headings.
	Anchors map[string]bool
}

var (
	fenceRe   = regexp.MustCompile("^\\s*(```+|~~~+)\\s*([A-Za-z0-9_+-]*)")
	linkRe    = regexp.MustCompile(`\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	headingRe = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
	tableSep  = regexp.MustCompile(`^\s*\|?\s*:?-{3,}`)
)

// Parse returns the mentions and heading anchors of a Markdown document.
func Parse(md string) Doc {
	doc := Doc{Anchors: map[string]bool{}}
	lines := strings.Split(md, "\n")
	var fence, lang string
	var pending strings.Builder // a code line continued with "\"
	pendingLine := 0
	var block strings.Builder // the fenced block so far
	blockLine := 0
	tableKey := false // inside a table whose first header cell is "key"
	for i := 0; i < len(lines); i++ {
		line, n := lines[i], i+1
		if m := fenceRe.FindStringSubmatch(line); m != nil {
			switch {
			case fence == "":
				fence, lang = m[1], m[2]
				block.Reset()
				blockLine = n + 1
				continue
			case strings.HasPrefix(strings.TrimSpace(line), fence) && m[2] == "":
				fence = ""
				doc.Mentions = append(doc.Mentions, Mention{Kind: Block, Text: block.String(), Line: blockLine, Lang: lang})
				continue
			}
		}
		if fence != "" {
			block.WriteString(line + "\n")
			if pending.Len() == 0 {
				pendingLine = n
			}
			t := strings.TrimRight(line, " \t")
			if strings.HasSuffix(t, "\\") {
				pending.WriteString(strings.TrimSuffix(t, "\\") + " ")
				continue
			}
			pending.WriteString(t)
			if s := strings.TrimSpace(pending.String()); s != "" {
				doc.Mentions = append(doc.Mentions, Mention{Kind: CodeLine, Text: s, Line: pendingLine, Lang: lang})
			}
			pending.Reset()
			continue
		}
		if m := headingRe.FindStringSubmatch(line); m != nil {
			doc.Anchors[Anchor(m[1])] = true
		}
		trimmed := strings.TrimSpace(line)
		isTable := strings.HasPrefix(trimmed, "|")
		if isTable && i+1 < len(lines) && tableSep.MatchString(lines[i+1]) && strings.Contains(lines[i+1], "-") {
			cells := splitRow(trimmed)
			tableKey = len(cells) > 0 && strings.EqualFold(strings.TrimSpace(cells[0]), "key")
		} else if !isTable {
			tableKey = false
		}
		firstCellEnd := -1
		if isTable && tableKey {
			firstCellEnd = cellEnd(line)
		}
		for _, s := range spans(line) {
			doc.Mentions = append(doc.Mentions, Mention{Kind: Span, Text: s.text, Line: n, KeyColumn: firstCellEnd >= 0 && s.start < firstCellEnd})
		}
		for _, m := range linkRe.FindAllStringSubmatchIndex(line, -1) {
			if inSpan(line, m[0]) {
				continue
			}
			doc.Mentions = append(doc.Mentions, Mention{Kind: Link, Text: line[m[2]:m[3]], Line: n})
		}
	}
	return doc
}

type span struct {
	text  string
	start int
}

// spans returns the inline code spans of one line (single or double
// backticks).
func spans(line string) []span {
	var out []span
	for i := 0; i < len(line); {
		if line[i] != '`' {
			i++
			continue
		}
		j := i
		for j < len(line) && line[j] == '`' {
			j++
		}
		ticks := line[i:j]
		end := strings.Index(line[j:], ticks)
		if end < 0 {
			break
		}
		out = append(out, span{text: strings.TrimSpace(line[j : j+end]), start: i})
		i = j + end + len(ticks)
	}
	return out
}

// inSpan reports whether byte offset off of line is inside a code span.
func inSpan(line string, off int) bool {
	for _, s := range spans(line) {
		if off > s.start && off < s.start+len(s.text)+2 {
			return true
		}
	}
	return false
}

// splitRow splits a table row into cells (escaped \| stays in the cell).
func splitRow(row string) []string {
	row = strings.TrimPrefix(strings.TrimSpace(row), "|")
	var cells []string
	var b strings.Builder
	inCode := false
	for i := 0; i < len(row); i++ {
		switch {
		case row[i] == '\\' && i+1 < len(row) && row[i+1] == '|':
			b.WriteByte('|')
			i++
		case row[i] == '`':
			inCode = !inCode
			b.WriteByte('`')
		case row[i] == '|' && !inCode:
			cells = append(cells, b.String())
			b.Reset()
		default:
			b.WriteByte(row[i])
		}
	}
	if strings.TrimSpace(b.String()) != "" {
		cells = append(cells, b.String())
	}
	return cells
}

// cellEnd returns the byte offset of the "|" that ends a row's first cell.
func cellEnd(line string) int {
	start := strings.Index(line, "|")
	inCode := false
	for i := start + 1; i < len(line); i++ {
		switch {
		case line[i] == '\\':
			i++
		case line[i] == '`':
			inCode = !inCode
		case line[i] == '|' && !inCode:
			return i
		}
	}
	return len(line)
}

// Anchor returns GitHub's anchor for a heading: lower case, spaces to
// hyphens, punctuation other than hyphens and underscores dropped.
func Anchor(heading string) string {
	heading = strings.ReplaceAll(heading, "`", "")
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
