package replay

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/hookd-dev/hookd/event"
	"github.com/hookd-dev/hookd/internal/human"
	"github.com/hookd-dev/hookd/spec"
	"github.com/hookd-dev/hookd/trace"
)

// Text prints the result for a terminal: a line per commit and per spec
// event, then the findings and the count of rejections.
func Text(out io.Writer, res *Result) {
	for _, c := range res.Commits {
		mark := "ok  "
		if !c.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(out, "%s %s %s (%s)\n", mark, c.Commit[:7], c.Subject, human.Plural(len(c.Ran), "hook", "hooks"))
		for _, n := range c.NotRun {
			fmt.Fprintf(out, "     not run: %s: %s\n", n.Hook, n.Why)
		}
	}
	for _, s := range res.Specs {
		what := fmt.Sprintf("%d added, %d modified, %d removed, %d renamed", len(s.Spec.Added), len(s.Spec.Modified), len(s.Spec.Removed), len(s.Spec.Renamed))
		if s.Kind == event.SpecTask {
			what = human.Plural(len(s.Spec.Tasks), "task", "tasks") + " changed status"
		}
		fmt.Fprintf(out, "%-12s %s: %s (%s)\n", s.Kind, s.Spec.File, what, human.Plural(len(s.Ran), "hook", "hooks"))
		for _, n := range s.NotRun {
			fmt.Fprintf(out, "     not run: %s: %s\n", n.Hook, n.Why)
		}
	}
	trace.WriteFindings(out, append(slices.Clone(res.Suspect), res.Dangling...))
	fmt.Fprintf(out, "%s, %d rejected by a blocking hook\n", human.Plural(len(res.Commits), "commit", "commits"), res.Rejected)
}

// MaxMarkdown is the most characters the pull-request comment has:
// GitHub refuses a comment over 65,536, and the cut line needs room.
const MaxMarkdown = 60000

// Markdown prints the pull-request comment, at most MaxMarkdown
// characters (see MarkdownLimit).
func Markdown(w io.Writer, res *Result) {
	MarkdownLimit(w, res, MaxMarkdown)
}

// MarkdownLimit prints the pull-request comment: a summary first, then
// each part folded (<details>): the requirements the range added,
// changed, renamed and removed with what cites them, the tasks, the
// OpenSpec changes archived, the new suspect and dangling links, and the
// hooks. A report over limit characters (0: no limit) is cut at a line,
// its open folds closed, with a line saying how much was cut and where
// the whole is.
func MarkdownLimit(w io.Writer, res *Result, limit int) {
	var b strings.Builder
	markdown(&b, res)
	out := b.String()
	if limit > 0 && len(out) > limit {
		out = cut(out, limit)
	}
	io.WriteString(w, out)
}

// cut shortens a report to at most limit characters at a line, closes
// the folds it leaves open, and says what it cut.
func cut(s string, limit int) string {
	note := func(n int) string {
		return fmt.Sprintf("\n**… %d of %d characters cut here to fit a comment**: the whole report is the workflow's "+
			"`hookd-report` artifact, or run `hookd replay --range BASE..HEAD --report md --full FILE`.\n", n, len(s))
	}
	room := limit - len(note(len(s))) - 64
	at := strings.LastIndexByte(s[:max(room, 0)], '\n') + 1
	kept := s[:at]
	for open := strings.Count(kept, "<details>") - strings.Count(kept, "</details>"); open > 0; open-- {
		kept += "\n</details>\n"
	}
	return kept + note(len(s)-at)
}

// markdown writes the whole report.
func markdown(w io.Writer, res *Result) {
	short := func(h string) string { return h[:min(7, len(h))] }
	fmt.Fprintf(w, "## hookd: requirements in %s\n\n", mdCode(res.Range))
	rows := requirementRows(res.Specs)
	tasks := taskLines(res.Specs)
	var archived []string
	for _, s := range res.Specs {
		if s.Kind == event.SpecArchived {
			archived = append(archived, fmt.Sprintf("- %s archived to %s", mdText(s.Spec.Name), mdCode(s.Spec.Dir)))
		}
	}
	hooks, hookSummary := hookLines(res)

	// The summary: what a reviewer reads first.
	fmt.Fprintf(w, "%s from `%s` to `%s`", human.Plural(len(res.Commits), "commit", "commits"), short(res.Base), short(res.Head))
	if res.Rejected > 0 {
		fmt.Fprintf(w, "; **%d rejected by a blocking hook**", res.Rejected)
	}
	fmt.Fprint(w, ".\n\n")
	var sum []string
	if len(rows) == 0 {
		sum = append(sum, "No requirement was added, changed, renamed or removed.")
	} else {
		specs := map[string]bool{}
		n := map[string]int{}
		for _, r := range rows {
			specs[r.spec] = true
			n[strings.Fields(r.change)[0]]++
		}
		var parts []string
		for _, k := range []string{"added", "changed", "renamed", "removed"} {
			if n[k] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n[k], k))
			}
		}
		sum = append(sum, fmt.Sprintf("**Requirements**: %s in %s (%s).", human.Plural(len(rows), "requirement", "requirements"),
			human.Plural(len(specs), "spec", "specs"), strings.Join(parts, ", ")))
	}
	if len(tasks) > 0 {
		sum = append(sum, fmt.Sprintf("**Tasks**: %s.", human.Plural(len(tasks), "change", "changes")))
	}
	if len(archived) > 0 {
		sum = append(sum, fmt.Sprintf("**Archived**: %s.", human.Plural(len(archived), "OpenSpec change", "OpenSpec changes")))
	}
	if len(res.Suspect)+len(res.Dangling) == 0 {
		sum = append(sum, "No new suspect or dangling links.")
	} else {
		sum = append(sum, fmt.Sprintf("**To check**: %d new suspect or stale, %d new dangling.", len(res.Suspect), len(res.Dangling)))
	}
	if hookSummary != "" {
		sum = append(sum, "**Hooks**: "+hookSummary)
	}
	if len(res.Problems) > 0 {
		line := fmt.Sprintf("**Configuration**: %s could not be read", human.Plural(len(res.Problems), "hook file", "hook files"))
		sum = append(sum, line+human.Pick(res.Hooks == NoHooks.String(), ".", "; the sound hooks ran."))
	}
	for _, l := range sum {
		fmt.Fprintf(w, "- %s\n", l)
	}

	fold := func(title string, n int, body func()) {
		if n == 0 {
			return
		}
		fmt.Fprintf(w, "\n<details><summary>%s (%d)</summary>\n\n", title, n)
		body()
		fmt.Fprintln(w, "\n</details>")
	}
	fold("New suspect and stale links: check them, then <code>hookd trace review</code>", len(res.Suspect), func() { findingList(w, res.Suspect) })
	fold("New dangling citations", len(res.Dangling), func() { findingList(w, res.Dangling) })
	fold("Requirements", len(rows), func() {
		fmt.Fprintln(w, "| spec | requirement | change | cited by |\n|---|---|---|---|")
		for _, r := range rows {
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", mdText(r.spec), mdText(r.id), mdText(r.change), citedBy(r.cites))
		}
		for _, r := range rows {
			if len(r.cites) == 0 {
				continue
			}
			fmt.Fprintf(w, "\n- **%s#%s** (%s)\n", mdText(r.spec), mdText(r.id), mdText(r.change))
			for _, c := range r.cites {
				note := ""
				// A done task is stale only for a requirement that was
				// there and changed: one just added was done against it.
				if c.Stale && (r.change == "changed" || strings.HasPrefix(r.change, "renamed")) {
					note = " (done: possibly stale)"
				}
				fmt.Fprintf(w, "  - %s %s%s\n", mdText(c.Kind), mdCode(fmt.Sprintf("%s:%d", c.File, c.Line)), note)
			}
		}
	})
	fold("Tasks", len(tasks), func() { fmt.Fprintln(w, strings.Join(tasks, "\n")) })
	fold("OpenSpec changes archived", len(archived), func() { fmt.Fprintln(w, strings.Join(archived, "\n")) })
	fold("Hooks", len(hooks), func() { fmt.Fprintln(w, strings.Join(hooks, "\n")) })
	fold("Hook files that could not be read", len(res.Problems), func() {
		for _, p := range res.Problems {
			fmt.Fprintf(w, "- %s\n", mdCode(p))
		}
	})
	if res.Hooks == NoHooks.String() {
		fmt.Fprintln(w, "\nNo hook was run for this report.")
	}
}

func findingList(w io.Writer, fs []trace.Finding) {
	for _, f := range fs {
		fmt.Fprintf(w, "- %s %s\n", mdCode(fmt.Sprintf("%s:%d", f.File, f.Line)), mdText(f.Message))
	}
}

// taskLines are the range's task changes: the plan (tasks added, removed,
// retitled) and each task ticked or unticked.
func taskLines(specs []Spec) []string {
	var out []string
	for _, s := range specs {
		p := s.Spec
		switch {
		case s.Kind == event.SpecTask:
			for _, t := range p.Tasks {
				what := "ticked"
				switch {
				case t.From == string(spec.Done):
					what = "unticked"
				case t.To != string(spec.Done):
					what = t.From + " → " + t.To
				}
				line := fmt.Sprintf("- %s task %s %s", mdText(p.Name), mdText(t.ID), what)
				if t.Title != "" {
					line += ": " + mdText(t.Title)
				}
				out = append(out, line)
			}
		case s.Kind == event.SpecChanged && p.Kind == string(spec.Tasks):
			for _, c := range []struct {
				what string
				ids  []string
			}{{"added", p.Added}, {"changed", p.Modified}, {"removed", p.Removed}} {
				if len(c.ids) > 0 {
					out = append(out, fmt.Sprintf("- %s tasks %s: %s", mdText(p.Name), c.what, mdText(spec.ShortList(c.ids, 12))))
				}
			}
		}
	}
	return out
}

// hookLines are the hooks' results, each failure once per hook and kind
// with the commits it happened on and the first lines it printed; a
// command that is not installed is told apart from a check that failed.
// summary is the line for the report's summary.
func hookLines(res *Result) (lines []string, summary string) {
	short := func(h string) string { return h[:min(7, len(h))] }
	type key struct {
		hook         string
		notInstalled bool
	}
	var order []key
	commits := map[key][]string{}
	first := map[key]Failure{}
	for _, c := range res.Commits {
		for _, f := range c.Failures {
			k := key{f.Hook, f.NotInstalled}
			if _, ok := first[k]; !ok {
				order = append(order, k)
				first[k] = f
			}
			commits[k] = append(commits[k], short(c.Commit))
		}
		// A refusal without a record (an old result): named all the same.
		for _, h := range c.Failed {
			if !slices.ContainsFunc(c.Failures, func(f Failure) bool { return f.Hook == h }) {
				k := key{h, false}
				if _, ok := first[k]; !ok {
					order = append(order, k)
					first[k] = Failure{Hook: h, Exit: -1}
				}
				commits[k] = append(commits[k], short(c.Commit))
			}
		}
	}
	var sum []string
	for _, k := range order {
		f, cs := first[k], commits[k]
		on := fmt.Sprintf("on %s of %d (%s)", human.Plural(len(cs), "commit", "commits"), len(res.Commits), mdText(spec.ShortList(cs, 6)))
		if k.notInstalled {
			lines = append(lines, fmt.Sprintf("- ⚠️ %s **could not run** (exit %d: the command is not installed or not executable) %s: the check never ran",
				mdText(k.hook), f.Exit, on))
			sum = append(sum, fmt.Sprintf("⚠️ %s not installed (%d)", mdText(k.hook), len(cs)))
		} else {
			lines = append(lines, fmt.Sprintf("- ❌ %s **failed** %s", mdText(k.hook), on))
			sum = append(sum, fmt.Sprintf("❌ %s failed (%d)", mdText(k.hook), len(cs)))
		}
		if f.Output != "" {
			lines = append(lines, "", "  ```text")
			for _, l := range strings.Split(f.Output, "\n") {
				lines = append(lines, "  "+strings.ReplaceAll(l, "```", "ˋˋˋ"))
			}
			lines = append(lines, "  ```", "")
		}
	}
	for _, c := range res.Commits {
		for _, n := range c.NotRun {
			lines = append(lines, fmt.Sprintf("- ⚠️ %s: %s did not run: %s", mdCode(short(c.Commit)), mdText(n.Hook), mdText(n.Why)))
		}
	}
	for _, s := range res.Specs {
		for _, h := range s.Ran {
			mark := human.Pick(slices.Contains(s.Failed, h), "❌", "✅")
			lines = append(lines, fmt.Sprintf("- %s %s on %s ran", mark, mdText(h), mdCode(s.Spec.File)))
		}
		for _, n := range s.NotRun {
			lines = append(lines, fmt.Sprintf("- ⚠️ %s on %s did not run: %s", mdText(n.Hook), mdCode(s.Spec.File), mdText(n.Why)))
		}
	}
	if len(lines) > 0 && len(sum) == 0 {
		sum = append(sum, "no blocking hook refused a commit")
	}
	if len(sum) == 0 {
		return lines, ""
	}
	return lines, strings.Join(sum, ", ") + "."
}

// row is a requirement the range added, changed, renamed or removed, with
// what cites it.
type row struct {
	spec, id, change string
	cites            []event.Citation
}

// requirementRows lists the requirements the spec.changed events of the
// range touched, each with the citations that cover it.
func requirementRows(specs []Spec) []row {
	var rows []row
	for _, s := range specs {
		// Requirements only: a tasks file's ids are tasks (their own
		// section), a design's "Property N" is no requirement.
		if s.Kind != event.SpecChanged || !requirementDoc(s.Spec.Kind) {
			continue
		}
		p := s.Spec
		byID := map[string][]event.Citation{}
		for _, c := range p.Impacted {
			byID[c.Requirement] = append(byID[c.Requirement], c)
		}
		citing := func(id string) []event.Citation {
			var out []event.Citation
			for cid, cs := range byID {
				if spec.Covers(id, cid) {
					out = append(out, cs...)
				}
			}
			return out
		}
		for _, id := range p.Added {
			rows = append(rows, row{p.Name, id, "added", citing(id)})
		}
		for _, id := range p.Modified {
			rows = append(rows, row{p.Name, id, "changed", citing(id)})
		}
		for _, r := range p.Renamed {
			rows = append(rows, row{p.Name, r.To, "renamed from " + r.From, citing(r.To)})
		}
		for _, id := range p.Removed {
			rows = append(rows, row{p.Name, id, "removed", citing(id)})
		}
	}
	return rows
}

// requirementDoc tells the documents whose ids are requirements.
func requirementDoc(kind string) bool {
	switch spec.Kind(kind) {
	case spec.Requirements, spec.Bugfix, spec.Feature, spec.Delta, "":
		return true
	}
	return false
}

// citedBy counts citations by kind: "1 task, 2 tests".
func citedBy(cs []event.Citation) string {
	if len(cs) == 0 {
		return "nothing"
	}
	n := map[string]int{}
	for _, c := range cs {
		n[c.Kind]++
	}
	var parts []string
	for _, k := range []string{"task", "design", "code", "test", "change"} {
		if n[k] > 0 {
			parts = append(parts, human.Plural(n[k], k, k+"s"))
		}
	}
	return strings.Join(parts, ", ")
}
