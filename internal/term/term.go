// Package term makes the CLI's output fit the terminal: the width to fit
// (the terminal's, else $COLUMNS, else 80), tables whose widest columns
// give way with "…", and a writer that wraps whatever line is still too
// long, so no listing runs past the right edge. --wide and --json are
// the ways to have everything whole.
package term

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

// Default is the width of output that is not a terminal and has no
// $COLUMNS: what a pipe into a pager or a CI log shows without wrapping.
const Default = 80

// Unlimited is the width of --wide: nothing clipped, nothing wrapped.
const Unlimited = 1 << 20

// IsTerminal says whether w is a terminal: colour and width follow it.
func IsTerminal(w io.Writer) bool {
	if ft, ok := w.(*Fitted); ok {
		w = ft.w
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Width is the width to fit on w: a Fitted writer's own, the terminal's,
// else $COLUMNS (as a shell exports it, or a test sets it), else Default.
// Under 40 columns nothing fits well, so 40 is the least.
func Width(w io.Writer) int {
	if f, ok := w.(*Fitted); ok {
		return f.width
	}
	if f, ok := w.(*os.File); ok && IsTerminal(w) {
		if ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ); err == nil && ws.Col > 0 {
			return max(40, int(ws.Col))
		}
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return max(40, n)
	}
	return Default
}

// Fitted writes to its writer, wrapping every line longer than its width
// at spaces, the rest of the line indented under its start (two more
// spaces); a word longer than the width is broken. It is the last guard:
// tables and listings clip and wrap for themselves first, where they know
// what a column means.
type Fitted struct {
	w       io.Writer
	width   int
	partial []byte
}

// Fit wraps w at width (Width(w) when width is 0).
func Fit(w io.Writer, width int) *Fitted {
	if width <= 0 {
		width = Width(w)
	}
	return &Fitted{w: w, width: width}
}

// Underlying is the writer Fitted writes to (for a colour decision).
func (f *Fitted) Underlying() io.Writer { return f.w }

func (f *Fitted) Write(p []byte) (int, error) {
	f.partial = append(f.partial, p...)
	for {
		i := bytes.IndexByte(f.partial, '\n')
		if i < 0 {
			break
		}
		line := string(f.partial[:i])
		f.partial = f.partial[i+1:]
		if _, err := io.WriteString(f.w, Wrap(line, f.width)+"\n"); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush writes a last line that had no newline.
func (f *Fitted) Flush() error {
	if len(f.partial) == 0 {
		return nil
	}
	_, err := io.WriteString(f.w, Wrap(string(f.partial), f.width))
	f.partial = nil
	return err
}

// pastEscape says whether a colour escape (CSI) starts at s[i], and where
// it ends: it takes no column.
func pastEscape(s string, i int) (int, bool) {
	if s[i] != 0x1b || i+1 >= len(s) || s[i+1] != '[' {
		return i, false
	}
	j := i + 2
	for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
		j++
	}
	return j + 1, true
}

// Len is the width of s on a terminal: its runes, less colour escapes.
func Len(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if next, ok := pastEscape(s, i); ok {
			i = next
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	return n
}

// Wrap breaks a line longer than width at spaces, keeping its own
// spacing (a column layout stays aligned). The lines after the first hang
// under the last column the line lays out (after a gap of two spaces or
// more) when that is in its first half, else under the line's own indent
// and two more spaces. A word longer than what is left is broken.
func Wrap(line string, width int) string {
	if Len(line) <= width {
		return line
	}
	hang := len(line) - len(strings.TrimLeft(line, " ")) + 2
	if i := strings.LastIndex(line[:min(len(line), width/2)], "  "); i > 0 && strings.TrimSpace(line[:i]) != "" {
		j := i
		for j < len(line) && line[j] == ' ' {
			j++
		}
		if j < width/2 && Len(line[:j]) == j {
			hang = j
		}
	}
	hang = min(hang, width/2)
	indent := strings.Repeat(" ", hang)
	var out []string
	rest := line
	for Len(rest) > width {
		cut := breakAt(rest, width, hang)
		out = append(out, strings.TrimRight(rest[:cut], " "))
		rest = indent + strings.TrimLeft(rest[cut:], " ")
	}
	if strings.TrimSpace(rest) != "" {
		out = append(out, rest)
	}
	return strings.Join(out, "\n")
}

// breakAt is the byte offset to break s at so that what comes before fits
// width columns: the last space within them past the hanging indent, or
// where the width ends.
func breakAt(s string, width, hang int) int {
	col, lastSpace, end := 0, -1, len(s)
	for i := 0; i < len(s); {
		if next, ok := pastEscape(s, i); ok {
			i = next
			continue
		}
		if col == width {
			end = i
			break
		}
		if s[i] == ' ' && col > hang {
			lastSpace = i
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		col++
	}
	if end < len(s) && s[end] == ' ' {
		return end
	}
	if lastSpace > 0 {
		return lastSpace
	}
	return end
}

// Clip shortens s to n columns, ending it with "…" when cut.
func Clip(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
