package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/hookd-dev/hookd/hooks"
	"github.com/hookd-dev/hookd/internal/human"
)

// diffContext is how many unchanged lines a diff shows around a change.
const diffContext = 3

// LineDiff writes the line changes from old to new, as a unified diff
// without headers ("-" removed, "+" added, " " around), each line made
// printable: a file under review cannot hide a line from its reader.
func LineDiff(w io.Writer, old, new string) {
	dmp := diffmatchpatch.New()
	a, b, lines := dmp.DiffLinesToChars(old, new)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)
	type line struct {
		op   diffmatchpatch.Operation
		text string
	}
	var all []line
	for _, d := range diffs {
		for _, l := range strings.SplitAfter(d.Text, "\n") {
			if l != "" {
				all = append(all, line{d.Type, strings.TrimSuffix(l, "\n")})
			}
		}
	}
	// Show a line when a change is within diffContext of it.
	show := make([]bool, len(all))
	for i, l := range all {
		if l.op == diffmatchpatch.DiffEqual {
			continue
		}
		for j := max(0, i-diffContext); j <= min(len(all)-1, i+diffContext); j++ {
			show[j] = true
		}
	}
	gap := false
	for i, l := range all {
		if !show[i] {
			gap = true
			continue
		}
		if gap {
			fmt.Fprintln(w, "  …")
			gap = false
		}
		mark := " "
		switch l.op {
		case diffmatchpatch.DiffDelete:
			mark = "-"
		case diffmatchpatch.DiffInsert:
			mark = "+"
		}
		fmt.Fprintf(w, "  %s %s\n", mark, human.Printable(l.text, false))
	}
}

// Listing writes a whole file with its line numbers, each line made
// printable.
func Listing(w io.Writer, text string) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	width := len(fmt.Sprint(len(lines)))
	for i, l := range lines {
		fmt.Fprintf(w, "  %*d  %s\n", width, i+1, human.Printable(l, false))
	}
}

// Review prints every file a trust would approve: new ones whole, changed
// ones as their diff since the version trusted.
func Review(out io.Writer, r *hooks.Review) {
	for _, f := range r.Files {
		switch {
		case f.State == hooks.Unchanged:
			fmt.Fprintf(out, "unchanged  %s\n", human.Printable(f.Path, false))
		case f.State == hooks.Changed && f.Before != nil:
			fmt.Fprintf(out, "changed    %s, since you trusted it:\n", human.Printable(f.Path, false))
			LineDiff(out, string(f.Before), string(f.Data))
		default:
			why := "new"
			if f.State == hooks.Changed {
				why = "changed    (the version you trusted was not kept)"
			}
			fmt.Fprintf(out, "%-10s %s, whole:\n", why, human.Printable(f.Path, false))
			Listing(out, string(f.Data))
		}
	}
}
