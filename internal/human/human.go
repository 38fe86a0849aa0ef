// Package human owns the small wordings of counts and sizes that hookd's
// command-line output shares: "1 hook", "2 hooks", a clipped line, a byte
// count as people read it, and text from a repository made safe to print.
package human

import (
	"fmt"
	"strings"
	"unicode"
)

// Plural says "1 place", "2 places".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Pick is a when cond holds, else b.
func Pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

// Clip shortens s to n runes, the last an ellipsis, when it is longer.
func Clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// Bytes says a byte count as people read it.
func Bytes(n int) string {
	switch {
	case n < 1<<10:
		return Plural(n, "byte", "bytes")
	case n < 1<<20:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// Printable is s with every control character (escape sequences, carriage
// returns, C1 controls, and the format characters that show nothing: the
// bidirectional overrides that reorder what a terminal shows ("trojan
// source"), zero-width characters, tag characters; newlines too, unless
// keepNewlines)
// written as a
// visible escape (\x1b, \r, \u0085): text from a repository cannot move a
// terminal's cursor, hide what precedes it, or start a line of its own in
// output that another program reads line by line (a CI log's workflow
// commands).
func Printable(s string, keepNewlines bool) string {
	// Format characters (Cf) draw nothing: bidi overrides, zero-width
	// spaces and joiners, the tag characters that can carry a whole hidden
	// sentence to an agent.
	hidden := func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }
	if !strings.ContainsFunc(s, func(r rune) bool { return hidden(r) && (r != '\n' || !keepNewlines) && r != '\t' }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' && keepNewlines, r == '\t', !hidden(r):
			b.WriteRune(r)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r > 0xffff:
			fmt.Fprintf(&b, `\U%08x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}
