// Package render is how the CLI's answers look on a terminal: the status
// and hooks tables, the history and one run whole, the spec diffs and a
// verdict's failing hooks. It owns layout only (columns, wrapping to the
// terminal's width, what is left out); the data is ipc's, the same the
// daemon sends and --json prints.
package render

import (
	"encoding/json"
	"io"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// JSON prints v indented, as every --json does.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // a command's "a > b" stays readable
	return enc.Encode(v)
}

// IsTerminal says whether w is a terminal: colour and width follow it.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Width is the width of the terminal w writes to; output that is not a
// terminal gets $COLUMNS, else 100.
func Width(w io.Writer) int {
	if f, ok := w.(*os.File); ok && IsTerminal(w) {
		if ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ); err == nil && ws.Col >= 40 {
			return int(ws.Col)
		}
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n >= 40 {
		return n
	}
	return 100
}
