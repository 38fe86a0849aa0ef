package term

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/hookd-dev/hookd/internal/human"
)

// Table is rows in columns two spaces apart, fitted to a width: each
// column is as wide as its widest cell. When the whole is too wide, the
// columns named in Drop are left out, in that order, while the table
// could not fit even with its Shrink columns at Min (that detail is what
// --wide shows); then the Shrink columns give way, the widest first, down
// to Min columns each, their cells clipped with "…". A row that still
// does not fit (a terminal narrower than the fixed columns) is clipped.
type Table struct {
	Header []string
	Rows   [][]string
	Shrink []int
	Drop   []int
	Min    int
}

// Write prints the table fitted to width. Cells are printed escaped
// (human.Printable): a name from a repository cannot move the cursor,
// erase a cell or start a row of its own.
func (t Table) Write(w io.Writer, width int) error {
	cols := len(t.Header)
	all := [][]string{t.Header}
	for _, r := range t.Rows {
		safe := make([]string, len(r))
		for i, c := range r {
			safe[i] = human.Printable(c, false)
		}
		all = append(all, safe)
	}
	widths := make([]int, cols)
	for _, r := range all {
		for i := range min(cols, len(r)) {
			widths[i] = max(widths[i], Len(r[i]))
		}
	}
	least := max(t.Min, 4)
	shown := make([]bool, cols)
	for i := range shown {
		shown[i] = true
	}
	total := func(shrunk bool) int {
		n, k := 0, 0
		for i, wd := range widths {
			if !shown[i] {
				continue
			}
			if shrunk && slices.Contains(t.Shrink, i) {
				wd = min(wd, least)
			}
			n += wd
			k++
		}
		return n + 2*max(0, k-1)
	}
	for _, d := range t.Drop {
		if total(true) > width {
			shown[d] = false
		}
	}
	for total(false) > width {
		widest := -1
		for _, i := range t.Shrink {
			if shown[i] && widths[i] > least && (widest < 0 || widths[i] > widths[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			break
		}
		widths[widest]--
	}
	last := cols - 1
	for last > 0 && !shown[last] {
		last--
	}
	for _, r := range all {
		var b strings.Builder
		first := true
		for i := range cols {
			if !shown[i] {
				continue
			}
			cell := ""
			if i < len(r) {
				cell = r[i]
			}
			if Len(cell) > widths[i] {
				cell = Clip(cell, widths[i])
			}
			if !first {
				b.WriteString("  ")
			}
			first = false
			b.WriteString(cell)
			if i < last {
				b.WriteString(strings.Repeat(" ", max(0, widths[i]-Len(cell))))
			}
		}
		line := strings.TrimRight(b.String(), " ")
		if Len(line) > width && !strings.Contains(line, "\x1b") {
			line = Clip(line, width)
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return nil
}
