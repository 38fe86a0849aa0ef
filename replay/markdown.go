package replay

import (
	"strings"
	"unicode"
)

// The pull request's comment is read by people and rendered by a forge:
// repository text in it (a requirement's name, a file name, a commit's
// subject) must not mention anyone, link or embed anything, open HTML or
// add table cells. mdText writes such text as entities and escapes; mdCode
// puts it in a code span no backtick in it can close.

// mdText is s safe as markdown text, in a table cell or a list item.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r):
		case r == '@':
			b.WriteString("&#64;") // no mention
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '&':
			b.WriteString("&amp;")
		case r == '|':
			b.WriteString("&#124;") // no extra cell
		case strings.ContainsRune("\\`*_[]~", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	// No autolink: a URL or a www. name stays text.
	return strings.NewReplacer("://", "&#58;//", "www.", "www&#46;").Replace(b.String())
}

// mdCode is s as an inline code span: fenced by more backticks than any
// run in it, on one line, with no pipe to end a table cell.
func mdCode(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.ReplaceAll(s, "|", "¦")
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	return fence + pad + s + pad + fence
}
