// Package render is how the CLI's answers look on a terminal: the status
// and hooks tables, the history and one run whole, the spec diffs and a
// verdict's failing hooks. It owns layout only (columns, wrapping to the
// terminal's width, what is left out); the data is ipc's, the same the
// daemon sends and --json prints.
package render

import (
	"encoding/json"
	"io"

	"github.com/hookd-dev/hookd/internal/term"
)

// JSON prints v indented, as every --json does.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // a command's "a > b" stays readable
	return enc.Encode(v)
}

// IsTerminal says whether w is a terminal: colour and width follow it.
func IsTerminal(w io.Writer) bool { return term.IsTerminal(w) }

// Width is the width to fit on w (package term): a fitted writer's, the
// terminal's, $COLUMNS, else 80.
func Width(w io.Writer) int { return term.Width(w) }
