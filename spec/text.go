package spec

import (
	"strings"
)

// line is one line of a document, with its 1-based number and whether it
// lies inside fenced code.
type line struct {
	n      int
	text   string
	fenced bool
}

// splitLines strips a BOM and CRs and splits on LF, masking fenced code
// so that a heading inside a code sample is not a heading.
func splitLines(data []byte) []line {
	s := strings.TrimPrefix(string(data), "\ufeff")
	raw := strings.Split(s, "\n")
	out := make([]line, len(raw))
	fence := ""
	for i, t := range raw {
		t = strings.TrimRight(t, "\r")
		out[i] = line{n: i + 1, text: t}
		trimmed := strings.TrimLeft(t, " \t")
		if fence == "" {
			if m := fenceOpen().FindString(trimmed); m != "" {
				fence = m[:3]
				out[i].fenced = true
			}
			continue
		}
		out[i].fenced = true
		if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]+" \t") == "" {
			fence = ""
		}
	}
	return out
}

var fenceOpen = lazyRegexp("^(```+|~~~+)")

// heading returns a markdown heading's level and text, or 0.
func heading(s string) (int, string) {
	n := 0
	for n < len(s) && s[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || n == len(s) || (s[n] != ' ' && s[n] != '\t') {
		return 0, ""
	}
	return n, strings.TrimSpace(strings.TrimRight(strings.TrimSpace(s[n:]), "#"))
}

// normBody normalises a document for comparison as a whole: spacing,
// blank lines and re-wrapping do not count; fenced code does, verbatim.
func normBody(lines []line) string {
	var b, prose strings.Builder
	flush := func() {
		if t := normSpace(prose.String()); t != "" {
			b.WriteString(t)
			b.WriteByte('\n')
		}
		prose.Reset()
	}
	for _, l := range lines {
		if l.fenced {
			flush()
			b.WriteString(strings.TrimRight(l.text, " \t"))
			b.WriteByte('\n')
			continue
		}
		prose.WriteString(l.text)
		prose.WriteByte(' ')
	}
	flush()
	return b.String()
}
