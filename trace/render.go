package trace

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hookd-dev/hookd/internal/term"
	"github.com/hookd-dev/hookd/spec"
)

// Text writes the report for a terminal of width columns, coloured when
// color is set: per spec, a row per requirement with how many of each
// kind cover it, then the findings, one `file:line: kind: message` each.
func Text(w io.Writer, rep *Report, color bool, width int) error {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return "\x1b[" + code + "m" + s + "\x1b[0m"
	}
	if width <= 0 {
		width = 100
	}
	if len(rep.Specs) == 0 {
		fmt.Fprintln(w, "no specs with requirements here")
	}
	for i, s := range rep.Specs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		covered, total := 0, 0
		for _, r := range s.Rows {
			if r.Of == "" || rep.Policy.EachCriterion {
				total++
				if r.Covered {
					covered++
				}
			}
		}
		fmt.Fprintf(w, "%s  %s, %s  %s\n", paint("1", s.Name), s.Format, s.Dir, coverage(covered, total, rep.Policy))
		// The requirement's title gives way: its id names it.
		t := term.Table{Header: []string{"  ID", "REQUIREMENT", "TASKS", "DESIGN", "CODE", "TESTS", ""}, Shrink: []int{1}, Min: 16}
		for _, r := range s.Rows {
			id := r.ID
			if r.Of != "" {
				id = "  " + id
			}
			mark := ""
			if (r.Of == "" || rep.Policy.EachCriterion) && len(rep.Policy.Require) > 0 {
				mark = pick(r.Covered, paint("32", "✓"), paint("31", "✗ no "+strings.Join(r.Missing, ", no ")))
			}
			t.Rows = append(t.Rows, []string{"  " + id, clip(r.Title, 1<<20), cell(r.Tasks), cell(r.Design), cell(r.Code), cell(r.Tests), mark})
		}
		t.Write(w, width)
	}
	if len(rep.Ambiguous) > 0 {
		fmt.Fprintf(w, "\n%s: %s no spec where more than one defines what %s (not counted, never a finding\n"+
			"unless fail_on has \"ambiguous\"; `hookd trace fix` scopes those with a likely spec):\n",
			plural(len(rep.Ambiguous), "ambiguous citation"), pick(len(rep.Ambiguous) == 1, "it names", "they name"), pick(len(rep.Ambiguous) == 1, "it cites", "they cite"))
		for _, l := range rep.Ambiguous {
			fmt.Fprintf(w, "  %s:%d: %s %s: %s\n", l.File, l.Line, l.Kind, strings.Join(l.Cites, ", "), couldBe(l))
		}
	}
	fmt.Fprintln(w)
	if len(rep.Findings) == 0 {
		fmt.Fprintln(w, paint("32", "no findings"))
	} else {
		fmt.Fprintf(w, "%s, %d failing the policy (fail_on = %s)\n", plural(len(rep.Findings), "finding"), rep.Summary.Failing, list(rep.Policy.FailOn))
	}
	for _, f := range rep.Findings {
		kind := f.Kind
		if f.Fails {
			kind = paint("31", kind)
		} else {
			kind = paint("33", kind)
		}
		fmt.Fprintf(w, "%s:%d: %s: %s\n", f.File, f.Line, kind, f.Message)
	}
	if !rep.History {
		fmt.Fprintln(w, "(not a git repository: stale and suspect are not judged)")
	}
	return nil
}

// couldBe says what an ambiguous citation could mean.
func couldBe(l spec.Link) string {
	s := "one of " + spec.ShortList(l.Candidates, 3)
	if l.Likely != "" {
		s += fmt.Sprintf("; likely %s (%s)", l.Likely, l.Why)
	}
	return s
}

// cell is how many places of a kind cover a row, marked when some are
// suspect or stale.
func cell(ps []Place) string {
	if len(ps) == 0 {
		return "-"
	}
	s := strconv.Itoa(len(ps))
	done, flagged := 0, 0
	for _, p := range ps {
		if p.Status == "done" {
			done++
		}
		if p.Suspect || p.Stale {
			flagged++
		}
	}
	if ps[0].Kind == "task" {
		s = fmt.Sprintf("%d/%d", done, len(ps))
	}
	if flagged > 0 {
		s += fmt.Sprintf(" (%d!)", flagged)
	}
	return s
}

func coverage(covered, total int, p Policy) string {
	if len(p.Require) == 0 {
		return fmt.Sprintf("%d requirements", total)
	}
	return fmt.Sprintf("%d/%d covered by %s", covered, total, strings.Join(p.Require, " and "))
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func plural(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + one + "s"
}

func list(s []string) string { return "[" + strings.Join(s, ", ") + "]" }

// Markdown writes the report for a pull request or an issue: a coverage
// line and table per spec, then the findings with their places.
func Markdown(w io.Writer, rep *Report) error {
	fmt.Fprintf(w, "### Traceability\n\n")
	fmt.Fprintf(w, "%d of %d requirements covered (require = %s); %s, %d failing (fail_on = %s).\n\n",
		rep.Summary.Covered, rep.Summary.Requirements, list(rep.Policy.Require), plural(len(rep.Findings), "finding"), rep.Summary.Failing, list(rep.Policy.FailOn))
	if len(rep.Findings) > 0 {
		fmt.Fprintln(w, "| | kind | place | message |\n|---|---|---|---|")
		for _, f := range rep.Findings {
			fmt.Fprintf(w, "| %s | %s | `%s:%d` | %s |\n", pick(f.Fails, "❌", "⚠️"), f.Kind, f.File, f.Line, mdCell(f.Message))
		}
		fmt.Fprintln(w)
	}
	for _, s := range rep.Specs {
		fmt.Fprintf(w, "<details><summary><b>%s</b> (%s, <code>%s</code>)</summary>\n\n", mdCell(s.Name), s.Format, s.Dir)
		fmt.Fprintln(w, "| id | requirement | tasks | design | code | tests | |\n|---|---|---|---|---|---|---|")
		for _, r := range s.Rows {
			mark := ""
			if (r.Of == "" || rep.Policy.EachCriterion) && len(rep.Policy.Require) > 0 {
				mark = pick(r.Covered, "✅", "❌ no "+strings.Join(r.Missing, ", no "))
			}
			id := r.ID
			if r.Of != "" {
				id = "↳ " + id
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", mdCell(id), mdCell(clip(r.Title, 80)), cell(r.Tasks), cell(r.Design), cell(r.Code), cell(r.Tests), mark)
		}
		fmt.Fprintln(w, "\n</details>")
	}
	return nil
}

// mdCell makes text safe inside a markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "<", "&lt;")
	return s
}
