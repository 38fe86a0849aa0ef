package spec

import (
	"fmt"
	"io"
	"strings"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/internal/human"
	"github.com/hookd-dev/hookd/internal/term"
)

// WriteList prints specs as a table: format, name, directory and files.
func WriteList(w io.Writer, specs []Spec) error {
	// The directory gives way first (it is mostly the spec's name again),
	// then the files; --wide or --json have them whole.
	t := term.Table{Header: []string{"FORMAT", "SPEC", "DIR", "FILES"}, Shrink: []int{2, 3, 1}, Min: 12}
	for _, s := range specs {
		var names []string
		for _, f := range s.Files {
			names = append(names, strings.TrimPrefix(f, s.Dir+"/"))
		}
		t.Rows = append(t.Rows, []string{string(s.Format), s.Name, s.Dir, strings.Join(names, " ")})
	}
	return t.Write(w, term.Width(w))
}

// WriteDoc prints what is read in a document: its requirements and
// criteria, properties and tasks, each with its line.
func WriteDoc(w io.Writer, d *Doc) {
	fmt.Fprintf(w, "%s: %s %s of spec %s\n", d.File, d.Format, d.Kind, d.Spec)
	if d.Unparsed != "" {
		fmt.Fprintf(w, "unparsed: %s\n", d.Unparsed)
	}
	for _, r := range d.Requirements {
		// Spec Kit's FR-001 has no title, and OpenSpec's name is its id:
		// then what it says is what to show.
		if say := r.Title; say != "" && say != r.ID {
			fmt.Fprintf(w, "%5d  %s  %s\n", r.Line, r.ID, say)
		} else if say := r.Text(); say != "" {
			fmt.Fprintf(w, "%5d  %s  %s\n", r.Line, r.ID, human.Clip(say, 100))
		} else {
			fmt.Fprintf(w, "%5d  %s\n", r.Line, r.ID)
		}
		for _, c := range r.Criteria {
			if c.Text == c.ID {
				fmt.Fprintf(w, "%5d    %s\n", c.Line, c.ID)
				continue
			}
			fmt.Fprintf(w, "%5d    %s  %s\n", c.Line, c.ID, human.Clip(c.Text, 100))
		}
	}
	for _, p := range d.Properties {
		fmt.Fprintf(w, "%5d  Property %s  %s  validates %s\n", p.Line, p.ID, p.Title, strings.Join(p.Validates, ", "))
	}
	for _, t := range d.Tasks {
		mark := map[Status]string{Todo: "[ ]", Done: "[x]", InProgress: "[-]", Queued: "[~]"}[t.Status]
		extra := ""
		if len(t.Requirements) > 0 {
			extra = "  → " + strings.Join(t.Requirements, ", ")
		}
		if t.Optional {
			extra += "  (optional)"
		}
		fmt.Fprintf(w, "%5d  %s %-6s %s%s\n", t.Line, mark, t.ID, human.Clip(t.Title, 80), extra)
	}
}

// WriteImpact prints the places that cite requirements as a table, then
// those that name no spec, with the specs they could mean; asked is how
// many requirements were asked about ("it" or "them").
func WriteImpact(w io.Writer, cites []event.Citation, asked int) {
	scoped, unscoped := SplitUnscoped(cites)
	if len(scoped) == 0 {
		fmt.Fprintln(w, "nothing cites them")
	} else {
		// A place is clipped at its start, where a long path says least;
		// its file name and line stay.
		t := term.Table{Header: []string{"KIND", "PLACE", "CITES", "SPEC", ""}, Shrink: []int{3}, Min: 16}
		width := term.Width(w)
		for _, c := range scoped {
			note := ""
			if c.Stale {
				note = "done: possibly stale"
			}
			t.Rows = append(t.Rows, []string{c.Kind, fmt.Sprintf("%s:%d", c.File, c.Line), c.Requirement, c.Spec, note})
		}
		fitPlaces(t.Rows, 1, width-44)
		t.Write(w, width)
	}
	if len(unscoped) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s %s without naming a spec, where more than one spec defines %s (ambiguous):\n",
		human.Plural(len(unscoped), "place cites", "places cite"), human.Pick(asked == 1, "it", "them"), human.Pick(asked == 1, "it", "them"))
	for _, c := range unscoped {
		line := fmt.Sprintf("  %s %s:%d cites %s: %s", c.Kind, c.File, c.Line, c.Requirement, CouldBe(c, 4))
		if c.Likely != "" {
			line += fmt.Sprintf("; likely %s (%s)", c.Likely, c.Why)
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w, "  (name the spec there, e.g. \"Requirements (login): 2.1\" or \"login#2.1\", to make them count;\n"+
		"  `hookd trace fix` does it where the spec's documents name the file)")
}

// fitPlaces shortens the places of column col that are wider than n by
// cutting their start ("…/auth/SignInForm.tsx:12"): the file's name and
// line are what a reader looks for.
func fitPlaces(rows [][]string, col, n int) {
	n = max(n, 24)
	for _, r := range rows {
		if p := []rune(r[col]); len(p) > n {
			r[col] = "…" + string(p[len(p)-n+1:])
		}
	}
}
